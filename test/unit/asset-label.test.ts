import { describe, expect, it } from 'vitest';
import { assetLabel } from '../../src/tui/commands/review-headless.js';

describe('the asset column of `sitter matches`', () => {
  it('shows the folder-relative path of a local asset, so two days with IMG_0001.jpg stay apart', () => {
    expect(assetLabel('day1/IMG_0001.jpg', 'IMG_0001.jpg')).toBe('day1/IMG_0001.jpg');
    expect(assetLabel('day2/IMG_0001.jpg', 'IMG_0001.jpg')).toBe('day2/IMG_0001.jpg');
    expect(assetLabel('IMG_0001.jpg', 'IMG_0001.jpg')).toBe('IMG_0001.jpg');
  });

  it("shows a DAM asset's file name with its id, since the id alone says nothing to a person", () => {
    expect(assetLabel('4711', 'portrait.jpg')).toBe('portrait.jpg [4711]');
    // a path-like id that does not end in the file name is not taken for a path
    expect(assetLabel('x/other.jpg', 'portrait.jpg')).toBe('portrait.jpg [x/other.jpg]');
  });
});
