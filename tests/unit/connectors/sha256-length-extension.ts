/**
 * SHA-256 length extension, the attack on `sha256(secret ‖ message)` signatures (HubSpot v1 and v2): from the
 * signature of a message and a guess of `secret ‖ message`'s length, the signature of
 * `message ‖ glue ‖ extension` under the same secret, without knowing the secret. `glue` is SHA-256's padding
 * of the original input. Written from FIPS 180-4, for the tests only.
 */

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
];

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** One SHA-256 compression of a 64-byte block into `state` (8 words), in place. */
const compress = (state: number[], block: Buffer): void => {
  const w: number[] = [];
  for (let t = 0; t < 64; t++) {
    if (t < 16) w.push(block.readUInt32BE(t * 4));
    else {
      const w15 = w[t - 15] ?? 0;
      const w2 = w[t - 2] ?? 0;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w.push(((w[t - 16] ?? 0) + s0 + (w[t - 7] ?? 0) + s1) >>> 0);
    }
  }
  let [a, b, c, d, e, f, g, h] = state as [number, number, number, number, number, number, number, number];
  for (let t = 0; t < 64; t++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + (K[t] ?? 0) + (w[t] ?? 0)) >>> 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) >>> 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) >>> 0;
  }
  [a, b, c, d, e, f, g, h].forEach((v, i) => {
    state[i] = ((state[i] ?? 0) + v) >>> 0;
  });
};

/** SHA-256's padding of a `length`-byte input: 0x80, zeros, and the length in bits as 64-bit big-endian. */
export const padding = (length: number): Buffer => {
  const zeros = (((55 - length) % 64) + 64) % 64;
  const pad = Buffer.alloc(1 + zeros + 8);
  pad[0] = 0x80;
  pad.writeBigUInt64BE(BigInt(length) * 8n, 1 + zeros);
  return pad;
};

/**
 * `signature` = hex sha256 of an input of `inputLength` bytes (secret ‖ message). Returns the glue to put after
 * the message and the hex signature of `secret ‖ message ‖ glue ‖ extension`.
 */
export const lengthExtension = (
  signature: string,
  inputLength: number,
  extension: Buffer,
): { glue: Buffer; signature: string } => {
  const digest = Buffer.from(signature, 'hex');
  const state = Array.from({ length: 8 }, (_, i) => digest.readUInt32BE(i * 4));
  const glue = padding(inputLength);
  const processed = inputLength + glue.length;
  const rest = Buffer.concat([extension, padding(processed + extension.length)]);
  for (let offset = 0; offset < rest.length; offset += 64) compress(state, rest.subarray(offset, offset + 64));
  const out = Buffer.alloc(32);
  state.forEach((word, i) => {
    out.writeUInt32BE(word, i * 4);
  });
  return { glue, signature: out.toString('hex') };
};
