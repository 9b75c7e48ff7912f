/**
 * Tiny images for connector tests, with no image library needed: a plain-coloured 64×48 JPEG, PNG and
 * WebP (made once with sharp; never a photograph of a person). Each format has its own colour, so
 * their content hashes differ.
 */

/** The images as base64, by format. */
export const sampleImages = {
  jpeg: '/9j/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAwAEADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAAb/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCkBBLYAAAAAAAAAAAAAAAAAAAAAB//2Q==',
  png: 'iVBORw0KGgoAAAANSUhEUgAAAEAAAAAwCAIAAAAuKetIAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAfUlEQVRoge2SAQkAURSDFsfYF8dYF2M8/sAAOhY+T5O6AQuwviK7kHdJ3YAFWF+RXci7pG7AAqyvyC7kXVI3YAHWV2QX8i6pG7AA6yuyC3mX1A1YgPUV2YW8S+oGLMD6iuxC3iV1AxZgfUV2Ie+SugELsL4iu5B3Sd2AxwN+hcLBDyiHb2QAAAAASUVORK5CYII=',
  webp: 'UklGRkoAAABXRUJQVlA4ID4AAADQAwCdASpAADAAPm02mEkkIyKhIqgAgA2JZwB2APwAACo0xjh8GYAA/ukiH//wq3DEM1X//ylXgsbm+AAAAA==',
} as const satisfies Record<string, string>;

export type SampleFormat = keyof typeof sampleImages;

/** The width and height of every sample image. */
export const SAMPLE_IMAGE_SIZE = { width: 64, height: 48 } as const;

/** A fresh copy of a sample image's bytes (callers may change them). */
export function sampleImage(format: SampleFormat): Uint8Array {
  return new Uint8Array(Buffer.from(sampleImages[format], 'base64'));
}
