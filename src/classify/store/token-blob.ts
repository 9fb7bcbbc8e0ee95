/**
 * The token hashes a trained message added, stored as one blob per message
 * (trained_messages.tokens): 8 bytes per token, each hash as a little-endian IEEE double
 * (hashes are integers below 2^52, exact as doubles). One blob instead of one row per
 * token keeps training to one row write per message; fixed little-endian keeps the file
 * portable between machines.
 */
import { hashToken } from '../token-hash.js';

/** Every platform Node runs on but s390x and some ppc64 (there each value is swapped). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/**
 * The blob of `hashes`. On a little-endian machine it is a view of the array's own bytes,
 * not a copy (SQLite copies a bound blob anyway): a training commit writes ~6 MB of them.
 */
export function encodeTokens(hashes: Float64Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
  const out = Buffer.allocUnsafe(hashes.length * 8);
  for (let i = 0; i < hashes.length; i++) out.writeDoubleLE(hashes[i]!, i * 8);
  return out;
}

export function decodeTokens(blob: Uint8Array): Float64Array {
  const n = Math.floor(blob.length / 8);
  const out = new Float64Array(n);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(blob.subarray(0, n * 8));
  } else {
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  }
  return out;
}

/** Schema 1's form of the same column: the token text, one per line (hashed here as models now store it). */
export function hashTokenLines(text: string): Float64Array {
  return Float64Array.from(text === '' ? [] : text.split('\n'), hashToken);
}
