import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { create } from 'xmlbuilder2';
import { rawSql, type Baseline } from './fixture.js';

/** `PRAGMA integrity_check` on the file, read outside Sitter: 'ok' or SQLite's complaint. */
export async function integrity(dbPath: string): Promise<string> {
  try {
    const rows = await rawSql<{ integrity_check: string }>(dbPath, 'PRAGMA integrity_check');
    return rows.map((r) => r.integrity_check).join('; ');
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
}

/** `sitter audit verify`: true when the hash chain is intact. */
export async function chainOk(b: Baseline): Promise<boolean> {
  const r = await b.run(['audit', 'verify']);
  return r.code === 0 && (JSON.parse(r.stdout) as { ok?: boolean }).ok === true;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/**
 * Sidecars that are not whole: an .xmp that does not parse as XML, or a sidecar's temporary file left
 * next to the photos (a half-written sidecar must never be visible under its real name).
 */
export function brokenSidecars(shootDir: string): string[] {
  const bad: string[] = [];
  for (const file of walk(shootDir)) {
    const name = relative(shootDir, file);
    if (name.endsWith('.xmp')) {
      try {
        create(readFileSync(file, 'utf8'));
      } catch {
        bad.push(`${name} (not XML)`);
      }
    } else if (name.includes('.xmp')) bad.push(`${name} (a sidecar's temporary file left over)`);
  }
  return bad;
}

/** The sidecars' names and content hashes: equal for two runs that reached the same DAM state. */
export function sidecarState(shootDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of walk(shootDir)
    .filter((f) => f.endsWith('.xmp'))
    .sort()) {
    // The write time inside a sidecar differs between runs; the rest must not.
    const text = readFileSync(file, 'utf8').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?/g, 'T');
    out[relative(shootDir, file)] = createHash('sha256').update(text).digest('hex').slice(0, 12);
  }
  return out;
}

/**
 * What the store holds for the shoot, without ids or times: per asset its state, content hash and its
 * faces (state, participant, box); templates per participant; per participant their reference, name
 * and guardian and how many consent records, decisions and rejections name them. Two runs that processed every asset
 * exactly once give the same value; a lost or doubly processed asset does not.
 */
export async function storeState(b: Baseline): Promise<string> {
  const db = join(b.ws, 'sitter.db');
  const assets = await rawSql<{
    id: number;
    connector_asset_id: string;
    scan_state: string;
    content_sha256: string | null;
  }>(db, 'select id, connector_asset_id, scan_state, content_sha256 from asset order by connector_asset_id');
  const faces = await rawSql<{
    asset_id: number;
    state: string;
    participant_id: number | null;
    x: number;
    y: number;
    w: number;
    h: number;
    has_embedding: number;
  }>(db, 'select asset_id, state, participant_id, x, y, w, h, embedding is not null as has_embedding from face');
  const templates = await rawSql<{ participant_id: number; n: number }>(
    db,
    'select participant_id, count(*) as n from template group by participant_id order by participant_id',
  );
  const shoots = await rawSql<{ id: string; status: string }>(db, 'select id, status from shoot order by id');
  // Per person what identifies them and what names them: a half-done erasure or withdrawal shows here.
  const participants = await rawSql<{ p: string }>(
    db,
    `select p.external_ref || '|' || p.display_name || '|' || coalesce(p.guardian, '-')
       || '|consents:' || (select count(*) from consent_record c where c.participant_id = p.id)
       || '|decisions:' || (select count(*) from decision d where d.participant_id = p.id)
       || '|rejections:' || (select count(*) from rejection r where r.participant_id = p.id) as p
     from participant p order by p.id`,
  );
  // Each erasure begun and whether its receipt is written: one left pending (records gone, no receipt) shows here.
  const erasures = await rawSql<{ e: string }>(
    db,
    `select participant_id || (case when pending_since is null then '' else '|pending' end)
       || (case when receipt_seq is null then '|no receipt' else '|receipt' end) as e
     from erasure order by id`,
  );
  const perAsset = assets.map((a) => ({
    asset: a.connector_asset_id,
    state: a.scan_state,
    sha: a.content_sha256,
    faces: faces
      .filter((f) => f.asset_id === a.id)
      .map(
        (f) =>
          `${f.state}:${f.participant_id ?? '-'}:${[f.x, f.y, f.w, f.h].map((v) => v.toFixed(3)).join(',')}:${f.has_embedding}`,
      )
      .sort(),
  }));
  return JSON.stringify({
    shoots,
    assets: perAsset,
    templates,
    participants: participants.map((r) => r.p),
    erasures: erasures.map((r) => r.e),
  });
}

/** Mode bits of every file and folder under a workspace that is not owner-only. */
export function notOwnerOnly(dir: string): string[] {
  const bad: string[] = [];
  const visit = (p: string) => {
    const st = statSync(p);
    const mode = st.mode & 0o777;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if (mode !== want) bad.push(`${relative(dir, p) || '.'} ${mode.toString(8)}`);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
  };
  visit(dir);
  return bad;
}

/** How many entries of each of these actions the audit chain holds (read outside Sitter). */
export async function auditActions(b: Baseline, actions: string[]): Promise<Record<string, number>> {
  const rows = await rawSql<{ action: string; n: number }>(
    join(b.ws, 'sitter.db'),
    `select action, count(*) as n from audit_event where action in (${actions.map(() => '?').join(', ')}) group by action`,
    actions,
  );
  return Object.fromEntries(actions.map((a) => [a, rows.find((r) => r.action === a)?.n ?? 0]));
}
