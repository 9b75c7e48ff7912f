import type { Command } from 'commander';
import { UsageError } from '../../core/domain/errors.js';
import { withWorkspace } from '../context.js';
import { collect } from '../option-list.js';
import { action } from '../runner.js';

/** A shoot's stored connector options in one line (secrets are `secret:NAME` references). */
export function optionsLine(options: Record<string, unknown>): string {
  const entries = Object.entries(options);
  return entries.length
    ? entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')
    : "none (the connector's defaults)";
}

export function registerShootConfigure(shoot: Command): void {
  shoot
    .command('configure')
    .description(
      "change a draft or approved shoot's connector options (checked against the connector's schema; on the audit chain, secrets by name only)",
    )
    .argument('<id>', 'shoot id')
    .option('--option <key=value>', 'set an option (repeatable); a secret as key=secret:NAME', collect, [])
    .option('--options-file <file>', 'options to set, as one JSON object (--option wins over it)')
    .option('--unset <key>', "remove an option: the connector's default applies again (repeatable)", collect, [])
    .action(
      action(async ([id], opts, globals) => {
        const unset = opts.unset as string[];
        if ((opts.option as string[]).length === 0 && opts.optionsFile === undefined && unset.length === 0)
          throw new UsageError(
            'OPTIONS_REQUIRED',
            'Say what to change: --option key=value, --options-file FILE or --unset KEY.',
            `Example: sitter shoot configure ${id} --option sidecarNaming=replace (see \`sitter connectors\`)`,
          );
        const [
          { readOptionArgs, rawOptions, warnAboutCredentials },
          { connectorRegistry },
          { reconfigure },
          { configureShoot },
        ] = await Promise.all([
          import('../connector-options.js'),
          import('../../app/connector-provider.js'),
          import('../../connectors/configure.js'),
          import('../../core/services/shoot-config-service.js'),
        ]);
        const [{ registry }, args] = await Promise.all([connectorRegistry(), readOptionArgs(opts)]);
        const r = await withWorkspace(globals, (ctx) =>
          configureShoot(
            ctx,
            id ?? '',
            (current) =>
              reconfigure(registry, current, { set: rawOptions(args, registry.optionsOf(current.connector)), unset }),
            (connector) => registry.optionsOf(connector).placement ?? [],
          ),
        );
        const after = r.shoot.connectorOptions;
        const warnings = warnAboutCredentials(
          r.shoot.connector,
          registry.optionsOf(r.shoot.connector),
          after,
          r.changed,
        );
        return {
          json: {
            shoot: r.shoot.id,
            connector: r.shoot.connector,
            connectorOptions: after,
            before: r.before,
            changed: r.changed,
            warnings,
          },
          text: r.changed.length
            ? `Shoot "${r.shoot.id}" (${r.shoot.connector}) options: ${optionsLine(after)} (changed: ${r.changed.join(', ')}; recorded).\nCheck the connector reaches its source: sitter connectors check ${r.shoot.id}`
            : `Shoot "${r.shoot.id}" already has these options (${optionsLine(after)}): nothing changed.`,
        };
      }),
    );
}
