import type { Command } from 'commander';
import { workspaceDir } from '../context.js';
import { action } from '../runner.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a workspace: a SQLite database and a key for encrypting biometric data (owner-only files)')
    .action(
      action(async (_args, _opts, globals) => {
        const { initWorkspace } = await import('../../core/store/workspace.js');
        const result = await initWorkspace(workspaceDir(globals));
        return {
          json: result,
          text: result.created
            ? `Created workspace ${result.dir} (database and key readable by you only).\nNext: sitter shoot create ID --name NAME --source FOLDER --purpose TEXT --retention-days N`
            : `${result.dir} is already a Sitter workspace; nothing was changed.`,
        };
      }),
    );
}

export function registerConnectors(program: Command): void {
  program
    .command('connectors')
    .description('list the connectors: built-in ones and the plugins that loaded (and those that did not, with the reason)')
    .action(
      action(async () => {
        const { connectorRegistry, pluginsDir } = await import('../compose.js');
        const { registry, plugins } = await connectorRegistry();
        const json = { connectors: registry.list().map((r) => ({ name: r.name, title: r.title, origin: r.origin })), pluginsDir: pluginsDir(), skippedPlugins: plugins.skipped };
        const text = [
          ...registry.list().map((r) => `${r.name.padEnd(14)} ${r.title}${r.origin === 'builtin' ? '' : `  (${r.origin})`}`),
          ...plugins.skipped.map((s) => `skipped plugin ${s.folder}: ${s.reason}`),
        ].join('\n');
        return { json, text };
      }),
    );
}
