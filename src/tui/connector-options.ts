/** `--option` and `--options-file`: loaded only by the commands that take them (it brings zod). */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/domain/errors.js';
import {
  coerceOptionText,
  credentialWarnings,
  validateOptions,
  type ConnectorOptionsSpec,
} from '../connectors/options.js';
import { connectorRegistry } from '../app/connector-provider.js';
import { safeText } from './format/safe-text.js';
import { duplicateJsonKeys } from './duplicate-json-keys.js';

/** What `--options-file` and `--option` said, before the connector's schema gives the values types. */
export interface OptionArgs {
  fromFile: Record<string, unknown>;
  pairs: [string, string][];
}

/**
 * Reads `--options-file FILE` (one JSON object) and splits each `--option key=value`; the pairs win
 * over the file. A malformed pair is not repeated in the error: it may be a secret typed by mistake.
 */
export async function readOptionArgs(opts: Record<string, unknown>): Promise<OptionArgs> {
  let fromFile: Record<string, unknown> = {};
  if (typeof opts.optionsFile === 'string') {
    const file = opts.optionsFile;
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(
        'OPTIONS_FILE_UNREADABLE',
        `The options file ${safeText(file)} cannot be read (${e.code ?? e.message}).`,
        'Pass --options-file with a JSON file such as {"sidecarNaming": "replace"}.',
      );
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new UsageError(
        'OPTIONS_FILE_INVALID',
        `The options file ${safeText(file)} is not one JSON object.`,
        'Write the options as {"key": value, ...}; secrets as "secret:NAME", never their value.',
      );
    const twice = duplicateJsonKeys(text);
    if (twice.length > 0)
      throw new UsageError(
        'OPTIONS_FILE_DUPLICATE_KEY',
        `The options file ${safeText(file)} gives ${[...new Set(twice)].map((k) => `"${safeText(k)}"`).join(', ')} more than once; nothing was stored.`,
        'Keep one value for each option in the file: which one was meant is not clear.',
        { keys: [...new Set(twice)] },
      );
    fromFile = parsed as Record<string, unknown>;
  }
  const pairs: [string, string][] = [];
  for (const pair of Array.isArray(opts.option) ? (opts.option as string[]) : []) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        'BAD_OPTION',
        `Each --option takes the form key=value (one of them has no key or no "=").`,
        'Example: --option sidecarNaming=replace; a secret: --option token=secret:assetbank-token',
      );
    pairs.push([pair.slice(0, eq).trim(), pair.slice(eq + 1)]);
  }
  return { fromFile, pairs };
}

/** The options as one record, `--option` text given the type the connector's schema declares. */
export function rawOptions(args: OptionArgs, spec: ConnectorOptionsSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { ...args.fromFile };
  // Defined, not assigned: `out['__proto__'] = v` would set the prototype and the key would vanish
  // instead of being refused as an unknown option.
  for (const [key, text] of args.pairs)
    Object.defineProperty(out, key, {
      value: coerceOptionText(spec, key, text),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** The options `shoot create` stores: read, typed and checked against the connector's schema. */
export async function shootOptionsFromArgs(
  connector: string,
  opts: Record<string, unknown>,
): Promise<{ connectorOptions: Record<string, unknown>; spec: ConnectorOptionsSpec }> {
  const [{ registry }, args] = await Promise.all([connectorRegistry(), readOptionArgs(opts)]);
  const spec = registry.optionsOf(connector);
  return { connectorOptions: validateOptions(connector, spec, rawOptions(args, spec)), spec };
}

/**
 * Warns on stderr about credentials typed into ordinary options (`credentialWarnings`), for the keys
 * just set; returns the warnings for the command's JSON.
 */
export function warnAboutCredentials(
  connector: string,
  spec: ConnectorOptionsSpec,
  options: Record<string, unknown>,
  keys: readonly string[] = Object.keys(options),
): string[] {
  const set = Object.fromEntries(Object.entries(options).filter(([k]) => keys.includes(k)));
  const warnings = credentialWarnings(connector, spec, set);
  for (const w of warnings) process.stderr.write(`Warning: ${safeText(w)}\n`);
  return warnings;
}
