import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { type FixtureParticipant, pngBytes, writeConsentFolder } from '../helpers/consent-fixture.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

interface FaceJson {
  face: number;
  state: string;
  consentRecord?: { id: number; formSha256: string; current: boolean };
}

/** Issue 9: "under which signed form was this face named?" has one answer per face. */
describe('consent linked at face level (real CLI on a seeded workspace)', () => {
  let t: TestWorkspace;
  let people: FixtureParticipant[] = [];
  let faceId = 0;
  let source = '';
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, ...args]);
  const sitterJson = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  const currentRecord = async () =>
    (
      jsonOf(await sitterJson('consent', 'list', 's')).participants as {
        participant: string;
        consentRecord: number;
        formSha256: string;
      }[]
    ).find((p) => p.participant === 'P1')!;
  const faceView = async () =>
    (jsonOf(await sitterJson('matches', 's')).assets as { faces: FaceJson[] }[])[0]!.faces.find(
      (f) => f.face === faceId,
    )!;
  const reimport = async (dir: string, signed: string) => {
    const file = writeConsentFolder(join(source, dir), [{ ...people[0]!, signed }, people[1]!]);
    expect((await sitter('consent', 'import', 's', file)).code).toBe(0);
  };

  beforeAll(async () => {
    // The CLI runs on the real clock: seed on it too, so the shoot's retention has not ended.
    t = await makeWorkspace(new Date());
    people = [
      { id: 'P1', name: 'Ada Model', consent: 'yes', photo: await pngBytes(1) },
      { id: 'P2', name: 'Ben Model', consent: 'yes', photo: await pngBytes(2) },
    ];
    await seedApprovedShoot(t, 's', people, 2);
    source = join(t.root, '..');
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
      .jpeg()
      .toFile(join(source, 'a.jpg'));
    faceId = (await seedProposal(t, 's', 'a.jpg', 'P1', 0.8)).id;
  });
  afterAll(async () => {
    await exiftool.end();
    await t.cleanup();
  });

  it('two-person review records the version in force at the confirmation that makes the face confirmed', async () => {
    const first = await currentRecord();
    expect((await sitter('decide', 's', String(faceId), '--confirm', '--reviewer', 'Rita')).code).toBe(0);
    expect((await faceView()).consentRecord).toBeUndefined();

    // A new version of P1's record arrives between the two confirmations.
    await reimport('consent-v2', '2026-02-01');
    const second = await currentRecord();
    expect(second.consentRecord).not.toBe(first.consentRecord);
    const decided = await sitterJson('decide', 's', String(faceId), '--confirm', '--reviewer', 'Sam');
    expect(jsonOf(decided)).toMatchObject({
      state: 'confirmed',
      consentRecord: { id: second.consentRecord, formSha256: second.formSha256 },
    });

    expect((await faceView()).consentRecord).toEqual({
      id: second.consentRecord,
      formSha256: second.formSha256,
      current: true,
    });
    const entries = (await sitter('audit', 'export', '--shoot', 's')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; actor: string; details: Record<string, unknown> });
    const confirmations = entries.filter((e) => e.action === 'decision.confirm');
    expect(confirmations.map((e) => [e.actor, e.details.consentRecord])).toEqual([
      ['Rita', first.consentRecord],
      ['Sam', second.consentRecord],
    ]);
    expect(confirmations[1]!.details).toMatchObject({ state: 'confirmed', formSha256: second.formSha256 });
  });

  it('push writes the version and the form sha256 next to the consent URI, readable by exiftool, and a second push changes no byte', async () => {
    const { consentRecord, formSha256 } = await currentRecord();
    expect(jsonOf(await sitterJson('push', 's'))).toMatchObject({ written: 1 });
    const sidecar = join(source, 'a.jpg.xmp');
    const bytes = readFileSync(sidecar);
    const tags = (await exiftool.read(sidecar, ['-struct'])) as unknown as {
      PersonInImageWDetails: Record<string, unknown>[];
    };
    expect(tags.PersonInImageWDetails).toEqual([
      expect.objectContaining({
        PersonId: ['urn:sitter:consent:s:P1'],
        ConsentRecord: consentRecord,
        ConsentFormSha256: formSha256,
      }),
    ]);
    const verdict = await exiftool.readRaw(sidecar, ['-validate', '-warning', '-a']);
    expect(verdict.Validate, JSON.stringify(verdict)).toBe('OK');
    expect(jsonOf(await sitterJson('push', 's'))).toMatchObject({ written: 0, unchanged: 1 });
    expect(readFileSync(sidecar).equals(bytes)).toBe(true);
  });

  it('a later version of the record leaves the face confirmed under the version it relied on, and matches and report say so', async () => {
    const reliedOn = await currentRecord();
    await reimport('consent-v3', '2026-03-01');
    expect((await currentRecord()).consentRecord).not.toBe(reliedOn.consentRecord);
    expect(await faceView()).toMatchObject({
      state: 'confirmed',
      consentRecord: { id: reliedOn.consentRecord, current: false },
    });
    expect((await sitter('matches', 's')).stdout).toContain(`#${reliedOn.consentRecord} (since replaced)`);

    const report = jsonOf(await sitterJson('report', 's')) as { confirmations: unknown[]; todo: string[] };
    expect(report.confirmations).toEqual([
      {
        asset: 'a.jpg',
        face: faceId,
        participant: 'P1',
        consentRecord: { id: reliedOn.consentRecord, formSha256: reliedOn.formSha256, current: false },
      },
    ]);
    expect(report.todo.join('\n')).toMatch(
      /1 confirmed faces were named under an earlier version of the consent record/,
    );
    expect((await sitter('report', 's')).stdout).toContain(`#${reliedOn.consentRecord} (since replaced)`);
  });
});
