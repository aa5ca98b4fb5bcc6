/**
 * Redis Cluster hash slots. A multi-key command whose keys fall in different slots fails with
 * CROSSSLOT on a cluster (even a single-shard one), so multi-key reads are split per slot.
 * The slot is CRC16 (XMODEM) of the key, or of its hash tag `{...}` when it has a non-empty
 * one, modulo 16384 (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/).
 */

export const SLOT_COUNT = 16_384;

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = crc & 0xffff;
  }
  return table;
})();

export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!) & 0xffff;
  return crc;
}

/** The part of the key that decides its slot: the first non-empty `{tag}`, else the whole key. */
export function hashTag(key: string): string {
  const open = key.indexOf("{");
  if (open === -1) return key;
  const close = key.indexOf("}", open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

export function hashSlot(key: string): number {
  return crc16(Buffer.from(hashTag(key), "utf8")) % SLOT_COUNT;
}

/** Positions of `keys` grouped by slot, in first-seen order; each group keeps key order. */
export function groupBySlot(keys: readonly string[]): number[][] {
  const groups = new Map<number, number[]>();
  keys.forEach((key, index) => {
    const slot = hashSlot(key);
    const group = groups.get(slot);
    if (group) group.push(index);
    else groups.set(slot, [index]);
  });
  return [...groups.values()];
}
