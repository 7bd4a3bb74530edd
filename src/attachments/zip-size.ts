/**
 * The uncompressed size a ZIP declares for the entries whose names match, read from its central
 * directory without inflating anything: a cheap first guard against decompression bombs (a
 * 1 MB .docx that inflates to gigabytes of XML). A ZIP64 size counts as Infinity. Returns null
 * when no central directory is found (the reader then fails on its own). Declared sizes can lie;
 * the reader thread's time limit and heap cap catch what this does not.
 */
export function declaredZipSize(bytes: Uint8Array, match: (name: string) => boolean): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEndOfCentralDirectory(view);
  if (end === -1) return null;
  const entries = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > view.byteLength || view.getUint32(at, true) !== 0x02014b50) return null;
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    if (at + 46 + nameLength > view.byteLength) return null;
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (match(name)) total += size === 0xffffffff ? Infinity : size;
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return total;
}

/** Offset of the end-of-central-directory record: within the last 64 KiB + 22 bytes (its comment can be up to 64 KiB). */
function findEndOfCentralDirectory(view: DataView): number {
  for (let at = view.byteLength - 22; at >= Math.max(0, view.byteLength - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === 0x06054b50) return at;
  }
  return -1;
}
