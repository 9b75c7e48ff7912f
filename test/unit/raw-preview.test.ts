/**
 * Which embedded preview may stand for a RAW, and the frame its boxes are relative to
 * (domain/raw-preview.ts), and the engine's turning of a preview by the RAW's orientation, checked
 * against sharp's own EXIF auto-orientation for all eight values.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SitterError } from '../../src/core/domain/errors.js';
import type { ExifOrientation } from '../../src/core/domain/orientation.js';
import { choosePreview, type PreviewCandidate } from '../../src/core/domain/raw-preview.js';
import { orient } from '../../src/core/engine/decode.js';

const preview = (tag: string, width: number, height: number, orientation: ExifOrientation | null = null) =>
  ({ tag, width, height, orientation }) satisfies PreviewCandidate;

function refusal(f: () => unknown): SitterError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SitterError);
    expect((e as SitterError).hint).toMatch(/Export a JPEG/);
    return e as SitterError;
  }
  throw new Error('expected a refusal');
}

describe('choosing a RAW preview', () => {
  const raw = { width: 6048, height: 4024, orientation: 1 as ExifOrientation };

  it('takes the largest preview that shows the whole frame; the boxes are relative to the RAW displayed frame', () => {
    const plan = choosePreview('nef', raw, [preview('PreviewImage', 640, 424), preview('JpgFromRaw', 6000, 4000)]);
    expect(plan.preview.tag).toBe('JpgFromRaw');
    expect([plan.displayedWidth, plan.displayedHeight]).toEqual([6048, 4024]);
  });

  it('turns the preview by the RAW orientation: a portrait RAW gives a portrait frame, once even if the preview says the same', () => {
    const turned = { ...raw, orientation: 6 as ExifOrientation };
    for (const own of [null, 1, 6] as const) {
      const plan = choosePreview('cr2', turned, [preview('JpgFromRaw', 6000, 4000, own)]);
      expect(plan.orientation).toBe(6);
      expect([plan.displayedWidth, plan.displayedHeight]).toEqual([4024, 6048]);
    }
  });

  it('refuses a preview turned otherwise than the RAW, a cropped one, a thumbnail, and a RAW with none', () => {
    const turned = { ...raw, orientation: 6 as ExifOrientation };
    expect(refusal(() => choosePreview('cr2', turned, [preview('JpgFromRaw', 6000, 4000, 8)])).code).toBe(
      'RAW_PREVIEW_UNUSABLE',
    );
    // 16:9 crop of a 3:2 sensor: its boxes would land elsewhere on the RAW
    const cropped = refusal(() => choosePreview('arw', raw, [preview('PreviewImage', 1920, 1080)]));
    expect(cropped.code).toBe('RAW_PREVIEW_UNUSABLE');
    expect(cropped.message).toMatch(/cropped or padded/);
    const thumb = refusal(() => choosePreview('nef', raw, [preview('PreviewImage', 160, 120)]));
    expect(thumb.message).toMatch(/below 1024 px/);
    expect(refusal(() => choosePreview('dng', raw, [])).code).toBe('RAW_PREVIEW_MISSING');
    expect(refusal(() => choosePreview('dng', null, [preview('PreviewImage', 6000, 4000)])).code).toBe(
      'RAW_PREVIEW_UNUSABLE',
    );
  });

  it('a small RAW needs only a preview of its own size', () => {
    const plan = choosePreview('dng', { width: 800, height: 600, orientation: 1 }, [preview('PreviewImage', 800, 600)]);
    expect(plan.preview.width).toBe(800);
  });
});

describe('turning stored pixels by an orientation', () => {
  it('gives what sharp auto-orientation gives, for all eight orientations', async () => {
    // an asymmetric picture: one red quarter top left, one green pixel block right of centre
    const base = sharp({ create: { width: 12, height: 8, channels: 3, background: { r: 0, g: 0, b: 255 } } }).composite(
      [
        {
          input: { create: { width: 6, height: 4, channels: 3, background: { r: 255, g: 0, b: 0 } } },
          left: 0,
          top: 0,
        },
        {
          input: { create: { width: 2, height: 2, channels: 3, background: { r: 0, g: 255, b: 0 } } },
          left: 9,
          top: 5,
        },
      ],
    );
    const stored = await base.png().toBuffer();
    for (const o of [1, 2, 3, 4, 5, 6, 7, 8] as ExifOrientation[]) {
      const tagged = await sharp(stored).withMetadata({ orientation: o }).png().toBuffer();
      const expected = await sharp(tagged).rotate().raw().toBuffer({ resolveWithObject: true });
      const ours = await orient(sharp(stored), o).raw().toBuffer({ resolveWithObject: true });
      expect([ours.info.width, ours.info.height], `orientation ${o}`).toEqual([
        expected.info.width,
        expected.info.height,
      ]);
      expect(ours.data.equals(expected.data), `orientation ${o}`).toBe(true);
    }
  });
});
