/**
 * Push, clear and read-back on the attributes the archivist mapped (values.ts says what they hold).
 * GET the asset, check the mapped attributes are Sitter's (empty, or under a `#sitter v1` ledger),
 * change only those, PUT (the whole representation back, as documented, or the mapped attributes
 * only), then read the PUT's answer: an attribute that did not take the value was ignored by the
 * server (read-only) or queued for approval. Anything wrong before the PUT aborts: nothing written.
 */
import { SitterError } from '../../core/domain/errors.js';
import type { CallOptions, ClearRequest, PushPayload, WriteOutcome, WrittenFile } from '../../core/ports/connector.js';
import type { AssetBankApi } from './api.js';
import type { AssetBankSettings } from './options.js';
import type { AssetRepr } from './reprs.js';
import {
  isSitterLedger,
  ledgerFromPayload,
  normaliseNewlines,
  parseLedger,
  parseRegions,
  regionsFromPayload,
  valuesFor,
  withoutPersons,
  type MappedRole,
  type MappedValues,
} from './values.js';

export interface Mapping {
  role: MappedRole;
  id: number;
}

const ROLE_OPTION: Record<MappedRole, keyof AssetBankSettings> = {
  consentRefs: 'consentRefsAttribute',
  participants: 'participantsAttribute',
  faceRegions: 'faceRegionsAttribute',
  usageClearance: 'usageClearanceAttribute',
};

export function mappingsOf(s: AssetBankSettings): Mapping[] {
  return (Object.keys(ROLE_OPTION) as MappedRole[])
    .map((role) => ({ role, id: s[ROLE_OPTION[role]] as number | undefined }))
    .filter((m): m is Mapping => m.id !== undefined);
}

/** How an attribute is named in results and errors: the option and its id, never its value. */
export function fieldName(m: Mapping): string {
  return `${ROLE_OPTION[m.role]} (attribute ${m.id})`;
}

type Current = Map<MappedRole, string>;

function currentValues(asset: AssetRepr, mappings: Mapping[], assetId: number): Current {
  const out: Current = new Map();
  for (const m of mappings) {
    const attr = asset.attributes.find((a) => a.id === m.id);
    if (!attr)
      throw new SitterError(
        'ATTRIBUTE_NOT_ON_ASSET',
        `Asset ${assetId} has no attribute ${m.id} (${ROLE_OPTION[m.role]}); nothing was written.`,
        'Check the attribute ids with `sitter connectors check SHOOT`, and that the attribute applies to this asset type in Asset Bank.',
        { assetId, attribute: m.id },
      );
    out.set(m.role, attr.value == null ? '' : normaliseNewlines(String(attr.value)));
  }
  return out;
}

/** Sitter writes only where it wrote before (its ledger) or where everything mapped is still empty. */
function assertSitters(current: Current, mappings: Mapping[], assetId: number): void {
  if (isSitterLedger(current.get('consentRefs') ?? '')) return;
  const taken = mappings.filter((m) => (current.get(m.role) ?? '') !== '');
  if (taken.length > 0)
    throw new SitterError(
      'ATTRIBUTE_NOT_SITTERS',
      `On asset ${assetId}, ${taken.map(fieldName).join(', ')} hold values Sitter did not write; nothing was written.`,
      'Map attributes that only Sitter writes (docs/asset-bank.md), or empty these on the asset if they are left over.',
      { assetId, attributes: taken.map((m) => m.id) },
    );
}

export interface WriteResult {
  changed: boolean;
  outcome: WriteOutcome;
  ignoredFields?: string[];
}

export class AttributeWriter {
  /** what this instance last sent per asset: readWritten flags an approval still pending against it */
  readonly #lastSent = new Map<number, Partial<MappedValues>>();

  constructor(
    private readonly api: AssetBankApi,
    private readonly s: AssetBankSettings,
  ) {}

  get mappings(): Mapping[] {
    return mappingsOf(this.s);
  }

  async push(assetId: number, payload: PushPayload, o?: CallOptions): Promise<WriteResult> {
    const { data: asset } = await this.api.getAsset(assetId, o);
    const current = currentValues(asset, this.mappings, assetId);
    assertSitters(current, this.mappings, assetId);
    const wanted = valuesFor(ledgerFromPayload(payload), regionsFromPayload(payload), this.s.clearanceValues);
    return this.#write(assetId, asset, current, wanted, o);
  }

  async clear(assetId: number, request: ClearRequest, o?: CallOptions): Promise<WriteResult> {
    const { data: asset } = await this.api.getAsset(assetId, o);
    const current = currentValues(asset, this.mappings, assetId);
    // Not under Sitter's ledger: nothing here is Sitter's to remove.
    if (!isSitterLedger(current.get('consentRefs') ?? '')) return { changed: false, outcome: 'unchanged' };
    const ledger = parseLedger(current.get('consentRefs')!);
    const empty = valuesFor({ otherFaces: 0, entries: [] }, null, this.s.clearanceValues);
    // A damaged ledger cannot say who else is named: blanking all of Sitter's attributes is the safe
    // side of a withdrawal (a re-push writes the others again).
    let wanted = empty;
    if (request.consentUris && ledger) {
      const left = withoutPersons(ledger, parseRegions(current.get('faceRegions') ?? ''), new Set(request.consentUris));
      wanted = valuesFor(left.ledger, left.regions, this.s.clearanceValues);
    }
    return this.#write(assetId, asset, current, wanted, o);
  }

  async readWritten(assetId: number, o?: CallOptions): Promise<WrittenFile[]> {
    const { data: asset } = await this.api.getAsset(assetId, o);
    const current = currentValues(asset, this.mappings, assetId);
    const sent = this.#lastSent.get(assetId);
    return this.mappings.map((m) => {
      const text = current.get(m.role) ?? '';
      const pending = this.s.editsNeedApproval && sent?.[m.role] !== undefined && sent[m.role] !== text;
      return {
        location: `${this.api.assetUrl(assetId)}#attribute-${m.id}`,
        text,
        ...(pending ? { pendingApproval: true } : {}),
      };
    });
  }

  async #write(
    assetId: number,
    asset: AssetRepr,
    current: Current,
    wanted: MappedValues,
    o?: CallOptions,
  ): Promise<WriteResult> {
    const changing = this.mappings.filter((m) => current.get(m.role) !== normaliseNewlines(wanted[m.role]));
    if (changing.length === 0) return { changed: false, outcome: 'unchanged' };
    const valueOf = new Map(changing.map((m) => [m.id, wanted[m.role]]));
    const body =
      this.s.putMode === 'full'
        ? {
            ...asset,
            attributes: asset.attributes.map((a) => (valueOf.has(a.id) ? { ...a, value: valueOf.get(a.id) } : a)),
          }
        : { attributes: changing.map((m) => ({ id: m.id, value: wanted[m.role] })) };
    this.#lastSent.set(assetId, Object.fromEntries(changing.map((m) => [m.role, normaliseNewlines(wanted[m.role])])));
    // The PUT's answer is the stored representation (documented): what did not take was not stored.
    const { data: stored } = await this.api.putAsset(assetId, body, { ...o, priority: 'push' });
    const after = new Map(
      stored.attributes.map((a) => [a.id, a.value == null ? '' : normaliseNewlines(String(a.value))]),
    );
    const ignored = changing.filter((m) => after.get(m.id) !== normaliseNewlines(wanted[m.role]));
    if (ignored.length === changing.length)
      return this.s.editsNeedApproval
        ? { changed: true, outcome: 'queued-for-approval' }
        : { changed: false, outcome: 'ignored-by-server', ignoredFields: ignored.map(fieldName) };
    return {
      changed: true,
      outcome: 'written',
      ...(ignored.length > 0 ? { ignoredFields: ignored.map(fieldName) } : {}),
    };
  }
}
