/**
 * `sitter connectors login SHOOT`: signs the shoot's connector in through a browser (Asset Bank with
 * auth=authorization-code) and stores the refresh token in the file its `refreshToken=secret:NAME`
 * reference reads (`<workspace>/secrets/NAME`, 0600). The token is never printed, logged or audited.
 */
import { SitterError } from '../core/domain/errors.js';
import type { Shoot } from '../core/domain/shoot.js';
import { authorizationCodeLogin } from './asset-bank/login.js';
import { parseAssetBankOptions } from './asset-bank/options.js';
import { resolveSecrets } from './configure.js';
import { validateOptions } from './options.js';
import type { ConnectorRegistry } from './registry.js';
import { secretEnvVar, secretRefName, writeSecretFile, type SecretSource } from './secrets.js';

export interface LoginReport {
  shoot: string;
  connector: string;
  /** the Asset Bank user who signed in */
  identity: string;
  /** the secret name the refresh token was stored under, and its file */
  secret: string;
  file: string;
  /** set when the environment variable of that secret would override the file */
  warning?: string;
}

export async function loginShoot(
  registry: ConnectorRegistry,
  shoot: Pick<Shoot, 'id' | 'connector' | 'connectorOptions'>,
  secrets: SecretSource,
  workspaceDir: string,
  io: { open: (url: string) => void | Promise<void>; port?: number; timeoutMs?: number },
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoginReport> {
  if (shoot.connector !== 'asset-bank')
    throw new SitterError(
      'LOGIN_UNSUPPORTED',
      `Shoot ${shoot.id} uses connector "${shoot.connector}", which has no browser sign-in.`,
      'Only the asset-bank connector with auth=authorization-code signs in this way; other connectors take secrets as secret:NAME.',
    );
  const spec = registry.optionsOf(shoot.connector);
  const stored = validateOptions(shoot.connector, spec, shoot.connectorOptions);
  const name = secretRefName(stored.refreshToken);
  if (name === null)
    throw new SitterError(
      'LOGIN_NEEDS_SECRET_NAME',
      `Shoot ${shoot.id} does not say where to keep the refresh token.`,
      `Name it first: \`sitter shoot configure ${shoot.id} --option refreshToken=secret:asset-bank-refresh\`, then log in again.`,
    );
  // Every other secret is needed now (the client secret); the refresh token is what this makes.
  const { refreshToken: _old, ...withoutRefresh } = stored;
  const resolved = await resolveSecrets(shoot.connector, spec, withoutRefresh, secrets);
  const settings = parseAssetBankOptions(resolved.options);
  const result = await authorizationCodeLogin({ settings, ...io });
  const file = await writeSecretFile(workspaceDir, name, result.refreshToken);
  return {
    shoot: shoot.id,
    connector: shoot.connector,
    identity: result.identity,
    secret: name,
    file,
    ...(env[secretEnvVar(name)]
      ? {
          warning: `${secretEnvVar(name)} is set and wins over the file: unset it, or Sitter keeps using the old refresh token.`,
        }
      : {}),
  };
}
