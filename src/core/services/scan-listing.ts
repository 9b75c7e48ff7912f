/** The listing a scan relies on (rule 1), and the error for a connector that misreports what it fetched. */
import { SitterError } from '../domain/errors.js';
import { isPassingFailure } from '../domain/connector-failure.js';
import type { Connector, ListedAsset, SkippedEntry } from '../ports/connector.js';
import { MAX_REQUEUES, pauseAfter, SourcePause } from './connector-backoff.js';

/** A connector's fetch said one hash and handed over bytes of another: its fault, named, nothing recorded. */
export function contentHashMisreported(
  connector: Connector,
  assetId: string,
  said: string,
  analysed: string,
): SitterError {
  return new SitterError(
    'CONNECTOR_CONTENT_HASH_WRONG',
    `Connector "${connector.info.name}" said "${assetId}" is ${said}, but the bytes it handed over are ${analysed}; no face of it was recorded.`,
    "The connector's fetch must report the sha256 of the bytes it returns: report this to the connector's author (for a plugin, run the contract suite on it), then scan again.",
    { connector: connector.info.name, asset: assetId, said, analysed },
  );
}

/**
 * Every page of the listing, with the guards the core relies on (rule 1 needs a trustworthy listing). A
 * page the busy source refused (rate-limited, unreachable) is asked again after a pause, a few times.
 */
export async function listEverything(connector: Connector, source: string, pageSize: number, signal?: AbortSignal) {
  const assets: ListedAsset[] = [];
  const skipped: SkippedEntry[] = [];
  const ids = new Set<string>();
  const cursors = new Set<string>();
  const refuse = (why: string) =>
    new SitterError(
      'CONNECTOR_LISTING_INVALID',
      `Connector "${connector.info.name}" gave a listing Sitter cannot trust: ${why}.`,
      "Nothing was scanned from this listing. Report this to the connector's author; for a plugin, run the contract suite on it.",
    );
  let cursor: string | null = null;
  do {
    signal?.throwIfAborted();
    const page = await pageWithPatience(connector, source, { cursor, pageSize, ...(signal ? { signal } : {}) });
    for (const a of page.assets) {
      if (ids.has(a.id)) throw refuse(`asset "${a.id}" is listed twice`);
      ids.add(a.id);
      assets.push(a);
    }
    skipped.push(...page.skipped);
    cursor = page.nextCursor;
    if (cursor !== null) {
      if (cursors.has(cursor)) throw refuse('the listing loops (a cursor came back twice)');
      cursors.add(cursor);
    }
  } while (cursor !== null);
  return { assets, skipped };
}

async function pageWithPatience(
  connector: Connector,
  source: string,
  options: { cursor: string | null; pageSize: number; signal?: AbortSignal },
) {
  const pause = new SourcePause();
  for (let attempt = 1; ; attempt++) {
    try {
      return await connector.list(source, { ...options, priority: 'bulk' });
    } catch (error) {
      if (!isPassingFailure(error) || attempt > MAX_REQUEUES) throw error;
      pause.hold(pauseAfter(error, attempt));
      await pause.wait(options.signal);
    }
  }
}
