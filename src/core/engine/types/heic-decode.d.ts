// heic-decode 2 ships no types: the one call the engine makes.
declare module 'heic-decode' {
  interface DecodedHeic {
    width: number;
    height: number;
    /** RGBA, 8 bits per channel, row-major */
    data: Uint8ClampedArray;
  }
  interface HeicImage {
    width: number;
    height: number;
    decode(): Promise<DecodedHeic>;
  }
  interface Decode {
    (options: { buffer: Uint8Array | ArrayBuffer }): Promise<DecodedHeic>;
    /** every image of the file, sized before any is decoded */
    all(options: { buffer: Uint8Array | ArrayBuffer }): Promise<HeicImage[]>;
  }
  const decode: Decode;
  export default decode;
}
