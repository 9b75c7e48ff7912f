import type { Command } from 'commander';
import type { ConnectorCheck } from '../../connectors/check.js';
import type { OptionInfo } from '../../connectors/options.js';
import { ExitCode } from '../../core/domain/errors.js';
import { withWorkspace } from '../context.js';
import { action } from '../runner.js';

function optionText(o: OptionInfo): string {
  const what = o.secret ? 'secret:NAME' : o.type;
  const extra = [
    o.required ? 'required' : null,
    o.default !== undefined ? `default ${JSON.stringify(o.default)}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return `    --option ${o.key}=${what}${extra ? `  (${extra})` : ''}${o.description ? `\n        ${o.description}` : ''}`;
}

function checkText(r: ConnectorCheck): string {
  const lines = [`Shoot "${r.shoot}": connector ${r.connector}, source ${r.source}`];
  for (const f of r.findings) {
    lines.push(`  ${f.ok ? 'ok  ' : 'FAIL'} ${f.step}: ${f.message}${f.code ? ` (${f.code})` : ''}`);
    if (f.hint) lines.push(`       hint: ${f.hint}`);
  }
  lines.push(
    r.ok ? 'The connector reaches its source.' : 'The connector cannot work until the problems above are fixed.',
  );
  return lines.join('\n');
}

export function registerConnectors(program: Command): void {
  const connectors = program
    .command('connectors')
    .description(
      'list the connectors with their options: built-in ones and the plugins that loaded (and those that did not, with the reason)',
    )
    .action(
      action(async () => {
        const [{ connectorRegistry, pluginsDir }, { describeOptions }] = await Promise.all([
          import('../../app/connector-provider.js'),
          import('../../connectors/options.js'),
        ]);
        const { registry, plugins } = await connectorRegistry();
        const listed = registry.list().map((r) => ({
          name: r.name,
          title: r.title,
          origin: r.origin,
          options: describeOptions(registry.optionsOf(r.name)),
        }));
        const json = { connectors: listed, pluginsDir: pluginsDir(), skippedPlugins: plugins.skipped };
        const text = [
          ...listed.flatMap((r) => [
            `${r.name.padEnd(14)} ${r.title}${r.origin === 'builtin' ? '' : `  (${r.origin})`}`,
            ...(r.options.length ? r.options.map(optionText) : ['    (no options)']),
          ]),
          ...plugins.skipped.map((s) => `skipped plugin ${s.folder}: ${s.reason}`),
          'Secrets: --option KEY=secret:NAME reads SITTER_SECRET_<NAME> or <workspace>/secrets/<name> (mode 0600).',
        ].join('\n');
        return { json, text };
      }),
    );

  connectors
    .command('check')
    .description(
      "check a shoot's connector: installed, options valid, secrets set, its own health probe, source reachable (first page of the listing); exit 1 on a problem",
    )
    .argument('<shoot>', 'shoot id')
    .action(
      action(async ([shootId], _opts, globals) => {
        const [
          { connectorRegistry, oneOffConnectorContext },
          { checkShootConnector },
          { workspaceSecrets },
          { requireShoot },
        ] = await Promise.all([
          import('../../app/connector-provider.js'),
          import('../../connectors/check.js'),
          import('../../connectors/secrets.js'),
          import('../../core/services/context.js'),
        ]);
        const { registry } = await connectorRegistry();
        const result = await withWorkspace(globals, async (ctx, ws) => {
          const shoot = await ctx.store.transaction((uow) => requireShoot(uow, shootId ?? ''));
          const context = await oneOffConnectorContext(ws.paths.dir, shoot);
          return checkShootConnector(registry, shoot, workspaceSecrets(ws.paths.dir), context);
        });
        return { json: result, text: checkText(result), exitCode: result.ok ? ExitCode.ok : ExitCode.refused };
      }),
    );

  connectors
    .command('login')
    .description(
      "sign the shoot's Asset Bank connector in through a browser (auth=authorization-code) and store the refresh token in <workspace>/secrets (0600); the token is never printed",
    )
    .argument('<shoot>', 'shoot id')
    .option(
      '--port <port>',
      'the port of the redirect URI registered in Asset Bank (http://127.0.0.1:PORT/callback)',
      '0',
    )
    .option('--timeout <seconds>', 'how long to wait for the browser', '300')
    .action(
      action(async ([shootId], opts, globals) => {
        const [{ connectorRegistry }, { loginShoot }, { workspaceSecrets }, { requireShoot }] = await Promise.all([
          import('../../app/connector-provider.js'),
          import('../../connectors/login.js'),
          import('../../connectors/secrets.js'),
          import('../../core/services/context.js'),
        ]);
        const { registry } = await connectorRegistry();
        const { port, timeout } = opts as { port: string; timeout: string };
        const report = await withWorkspace(globals, async (ctx, ws) => {
          const shoot = await ctx.store.transaction((uow) => requireShoot(uow, shootId ?? ''));
          return loginShoot(registry, shoot, workspaceSecrets(ws.paths.dir), ws.paths.dir, {
            // The address goes to stderr at once: the command waits for the browser to come back.
            open: (url) =>
              void process.stderr.write(`Open this address in a browser and sign in to Asset Bank:\n  ${url}\n`),
            port: Number(port),
            timeoutMs: Number(timeout) * 1000,
          });
        });
        const text = [
          `Signed in to Asset Bank as ${report.identity} for shoot ${report.shoot}.`,
          `The refresh token is stored in ${report.file} (secret ${report.secret}); it is not shown.`,
          ...(report.warning ? [`warning: ${report.warning}`] : []),
        ].join('\n');
        return { json: report, text };
      }),
    );
}
