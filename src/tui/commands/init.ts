import type { Command } from 'commander';
import { UsageError } from '../../core/domain/errors.js';
import { withWorkspace, workspaceDir } from '../context.js';
import { action } from '../runner.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'create a workspace: a SQLite database and a key for encrypting biometric data (owner-only files); ' +
        'with --database, a team workspace on PostgreSQL (or join the one that database holds)',
    )
    .option(
      '--database <url>',
      'a team workspace on PostgreSQL: postgres://USER@HOST:PORT/DB, no password (PGPASSWORD or ~/.pgpass); ' +
        'default: SITTER_DATABASE_URL if set, else a SQLite file in the workspace',
    )
    .option(
      '--key-file <path>',
      'keep the master key in this file outside the workspace (made if missing; recorded as a path, never the key)',
    )
    .option(
      '--key-from-env',
      'take the master key from SITTER_MASTER_KEY (base64) or SITTER_MASTER_KEY_FILE at every command; nothing is stored',
    )
    .option('--controller <text>', 'the controller printed on consent forms (later: sitter settings)')
    .option('--contact <text>', 'whom people contact to ask or withdraw, printed on consent forms')
    .action(
      action(async (_args, opts, globals) => {
        if (opts.keyFile && opts.keyFromEnv)
          throw new UsageError(
            'BAD_OPTION',
            '--key-file and --key-from-env are two different places for the key: choose one.',
            'See `sitter init --help` and docs/architecture.md, "Where the master key lives".',
          );
        const [{ initWorkspace }, { DATABASE_URL_ENV }, { currentActor }] = await Promise.all([
          import('../../core/store/workspace.js'),
          import('../../core/store/database-url.js'),
          import('../../app/session.js'),
        ]);
        const database = typeof opts.database === 'string' ? opts.database : process.env[DATABASE_URL_ENV] || undefined;
        const masterKey =
          typeof opts.keyFile === 'string'
            ? { kind: 'file' as const, path: opts.keyFile }
            : opts.keyFromEnv
              ? { kind: 'env' as const }
              : { kind: 'workspace' as const };
        const { checkedSettings, changeSettings } = await import('../../core/services/settings-service.js');
        const settings = checkedSettings({
          ...(typeof opts.controller === 'string' ? { controller: opts.controller } : {}),
          ...(typeof opts.contact === 'string' ? { contact: opts.contact } : {}),
        });
        const result = await initWorkspace(workspaceDir(globals), { masterKey, database, osUser: currentActor() });
        // Only a workspace made now takes them: init never changes an existing one (`sitter settings` does).
        if (result.created && Object.keys(settings).length > 0)
          await withWorkspace(globals, (ctx) => changeSettings(ctx, settings));
        const key = result.masterKey;
        const created =
          key.kind === 'file'
            ? `Created workspace ${result.dir} (readable by you only). Its master key is in ${key.path}: keep ` +
              `that file apart from the workspace and back it up separately; without it nothing biometric can be decrypted.`
            : key.kind === 'env'
              ? `Created workspace ${result.dir} (readable by you only). Its master key comes from ` +
                `SITTER_MASTER_KEY / SITTER_MASTER_KEY_FILE: give it to every command; nothing of it was stored.`
              : `Created workspace ${result.dir} (database and key readable by you only).`;
        const team = database === undefined ? '' : teamText(result.database, result.joined === true, key.kind);
        return {
          json: (({ dir, ...rest }) => ({ folder: dir, ...rest }))(result),
          text: result.created
            ? `${team || created}\nNext: sitter shoot create ID --name NAME --source FOLDER --purpose TEXT --retention-days N`
            : `${result.dir} is already a Sitter workspace; nothing was changed.` +
              (Object.keys(settings).length > 0 ? ' Change its controller or contact with `sitter settings`.' : ''),
        };
      }),
    );
}

/** What a machine is told after `init --database`: where the data lives, and where its key does. */
function teamText(database: string, joined: boolean, keyKind: string): string {
  const key =
    keyKind === 'env'
      ? 'its master key comes from SITTER_MASTER_KEY / SITTER_MASTER_KEY_FILE at every command'
      : keyKind === 'file'
        ? 'its master key is in the key file you gave (keep it 0600)'
        : 'its master key is in master.key in this folder (0600)';
  return joined
    ? `Joined the team workspace in ${database}: ${key}, and it matched the workspace's. Records, audit and wrapped keys stay in the database.`
    : `Created a team workspace in ${database}: ${key}; the master key never enters the database. ` +
        'Back the key up apart from the database, and give it to each machine that joins (docs/team.md, "Keys").';
}
