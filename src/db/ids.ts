import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

let lastTime = -1;
const lastRandom = new Uint8Array(10);

/**
 * A ULID: 48-bit millisecond time then 80 random bits, Crockford base32, 26 characters.
 * Ids sort by creation time, which is what cursor paging orders by. Within one millisecond
 * the random part is incremented, so ids made by one process are strictly increasing.
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    for (let i = 9; i >= 0; i--) {
      const v = lastRandom[i] ?? 0;
      if (v < 255) {
        lastRandom[i] = v + 1;
        break;
      }
      lastRandom[i] = 0;
    }
  } else {
    lastTime = now;
    lastRandom.set(randomBytes(10));
  }
  let time = lastTime;
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[time % 32] + out;
    time = Math.floor(time / 32);
  }
  // 80 bits -> 16 base32 characters, 5 bits at a time.
  let bits = 0;
  let acc = 0;
  for (const byte of lastRandom) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` has the shape of an id made by newId (used to reject junk ids early). */
export function isId(value: string): boolean {
  return ULID.test(value);
}
