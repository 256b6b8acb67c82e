import 'server-only';
import { createHash } from 'node:crypto';

// The emails an import has read so far, to report a repeat (the first one wins) without keeping
// the emails: 64 bits of each one's SHA-1 in an open-addressing table of typed arrays. A
// million emails take 16 MB outside V8's heap, where a Set of numbers took some 40 MB of small
// objects the collector had to walk; and at 64 bits, two different emails of a 1,000,000-row
// file share a fingerprint with a chance of about 3 in 100 million (48 bits: 2 in 1,000).

const INITIAL_SLOTS = 1 << 16;

export class EmailSet {
  /** Slot i holds a fingerprint's high and low 32 bits at 2i and 2i + 1; a low half of 0 marks it empty. */
  #slots = new Uint32Array(2 * INITIAL_SLOTS);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds `email`; false when it was read before. */
  add(email: string): boolean {
    const digest = createHash('sha1').update(email).digest();
    const high = digest.readUInt32BE(0);
    // No fingerprint's low half is 0: that marks an empty slot.
    const low = digest.readUInt32BE(4) || 1;
    // Half full at most, so a lookup probes a slot or two.
    if ((this.#size + 1) * 4 > this.#slots.length) this.#grow();
    return this.#insert(high, low);
  }

  #insert(high: number, low: number): boolean {
    const mask = this.#slots.length / 2 - 1;
    for (let i = low & mask; ; i = (i + 1) & mask) {
      const [slotHigh, slotLow] = [this.#slots[2 * i], this.#slots[2 * i + 1]];
      if (slotHigh === high && slotLow === low) return false;
      if (slotLow === 0) {
        this.#slots[2 * i] = high;
        this.#slots[2 * i + 1] = low;
        this.#size++;
        return true;
      }
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.#insert(old[i] ?? 0, old[i + 1] ?? 0);
  }
}
