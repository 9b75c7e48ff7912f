/** Embeddings travel as little-endian float32 bytes (then encrypted by the KeyVault). */
export function embeddingToBytes(embedding: Float32Array): Uint8Array {
  const out = new Uint8Array(embedding.length * 4);
  const view = new DataView(out.buffer);
  embedding.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

export function bytesToEmbedding(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(Math.floor(bytes.byteLength / 4));
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
