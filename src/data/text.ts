/**
 * Counts category texts straight from bytes: a hash table keyed by the cell's bytes, so a repeated
 * value costs a hash and a byte compare, and a JS string is created only once per distinct value.
 */

const INITIAL_SLOTS = 1 << 8;
const INITIAL_ENTRIES = 1 << 7;

export class TextCounter {
  /** Open addressing: entry index + 1, or 0 for an empty slot. */
  private slots = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private size = 0;
  // Per entry.
  private hashes = new Int32Array(INITIAL_ENTRIES);
  private starts = new Int32Array(INITIAL_ENTRIES);
  private lengths = new Int32Array(INITIAL_ENTRIES);
  private counts = new Float64Array(INITIAL_ENTRIES);
  private keys: string[] = [];
  /** The distinct keys' bytes, back to back. */
  private arena = new Uint8Array(1 << 12);
  private arenaUsed = 0;
  /** Texts that arrived as strings (JSON, Parquet, unquoted CSV cells); merged at the end. */
  private strings: Map<string, number> | null = null;
  /** The hash of the last probe (FNV-1a of its bytes), for `insert`. */
  private probeHash = 0;

  /** Count the text of bytes [start, end) (UTF-8). */
  addBytes(bytes: Uint8Array, start: number, end: number): void {
    const found = this.probe(bytes, start, end);
    if (found >= 0) this.counts[found]!++;
    else this.insert(~found, this.probeHash, bytes, start, end);
  }

  /** Whether bytes [start, end) are a counted key (by bytes; texts added as strings are not seen). */
  hasBytes(bytes: Uint8Array, start: number, end: number): boolean {
    return this.probe(bytes, start, end) >= 0;
  }

  /** The entry holding bytes [start, end), or ~slot of the empty slot where it would go. */
  private probe(bytes: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    this.probeHash = h;
    const length = end - start;
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const entry = slots[slot]! - 1;
      if (entry < 0) return ~slot;
      if (this.hashes[entry] === h && this.lengths[entry] === length && this.sameBytes(entry, bytes, start, length)) return entry;
      slot = (slot + 1) & mask;
    }
  }

  /** Count a text that is already a string. */
  addString(text: string, count = 1): void {
    const strings = (this.strings ??= new Map());
    strings.set(text, (strings.get(text) ?? 0) + count);
  }

  /** Counts per text. */
  toMap(): Map<string, number> {
    const result = new Map<string, number>();
    for (let i = 0; i < this.size; i++) {
      const key = this.keys[i]!;
      // Two invalid UTF-8 sequences can decode to the same text: add up.
      result.set(key, (result.get(key) ?? 0) + this.counts[i]!);
    }
    if (this.strings) {
      for (const [key, count] of this.strings) result.set(key, (result.get(key) ?? 0) + count);
    }
    return result;
  }

  private sameBytes(entry: number, bytes: Uint8Array, start: number, length: number): boolean {
    const arena = this.arena;
    const at = this.starts[entry]!;
    for (let i = 0; i < length; i++) if (arena[at + i] !== bytes[start + i]) return false;
    return true;
  }

  private insert(slot: number, hash: number, bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    const entry = this.size++;
    if (entry === this.hashes.length) this.growEntries();
    if (this.arenaUsed + length > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
      bigger.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = bigger;
    }
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    this.hashes[entry] = hash;
    this.starts[entry] = this.arenaUsed;
    this.lengths[entry] = length;
    this.counts[entry] = 1;
    this.keys.push(decodeText(bytes, start, end));
    this.arenaUsed += length;
    this.slots[slot] = entry + 1;
    if (this.size * 2 > this.mask) this.growSlots();
  }

  private growEntries(): void {
    const n = this.hashes.length * 2;
    const grow = <T extends Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const bigger = make(n);
      bigger.set(old);
      return bigger;
    };
    this.hashes = grow(this.hashes, (k) => new Int32Array(k));
    this.starts = grow(this.starts, (k) => new Int32Array(k));
    this.lengths = grow(this.lengths, (k) => new Int32Array(k));
    this.counts = grow(this.counts, (k) => new Float64Array(k));
  }

  private growSlots(): void {
    const capacity = this.slots.length * 2;
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** UTF-8 text of bytes [start, end); latin1 decoding is faster and equal for ASCII bytes. */
export function decodeText(bytes: Uint8Array, start: number, end: number): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) return buffer.toString('utf8', start, end);
  }
  return buffer.toString('latin1', start, end);
}

/** Shorten a cell's text for an error message. */
export function truncate(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
