// What POSIX `cksum` prints of some bytes, worked out here: a launcher compares config.json's
// (lib/attach-launcher.ts) and install.sh the lock file's (lib/update.ts) with the command's.

// Its CRC (polynomial 0x04C11DB7, most significant bit first, then the length's bytes).
// The table is made at the first sum, not as the bundle loads: 0.5 ms of every dashboard's start.
let crcTable: Uint32Array | undefined
function makeCrcTable(): Uint32Array {
  const t = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i << 24
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1
    t[i] = c >>> 0
  }
  return t
}
/** What `cksum <FILE` prints of these bytes. */
export function cksum(bytes: Uint8Array): string {
  const table = (crcTable ??= makeCrcTable())
  const step = (crc: number, b: number) => ((crc << 8) ^ table[((crc >>> 24) ^ b) & 0xff]) >>> 0
  let crc = 0
  for (const b of bytes) crc = step(crc, b)
  for (let n = bytes.length; n > 0; n = Math.floor(n / 256)) crc = step(crc, n % 256)
  return `${~crc >>> 0} ${bytes.length}`
}
