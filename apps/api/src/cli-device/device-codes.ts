import { createHash, randomBytes, randomInt } from 'node:crypto';

// RFC 8628 §6.1: a user code from 20 consonants (no vowels, so no words; no I/O lookalikes) is 20^8 ≈ 2.6e10 codes,
// typed by a signed-in person within the code's lifetime; a device code is 256 random bits.
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export const hashCode = (code: string): string => createHash('sha256').update(code).digest('hex');

export const newDeviceCode = (): string => randomBytes(32).toString('base64url');

/** `ABCD-EFGH` */
export function newUserCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** The hash a user code is stored and looked up by, whatever the dash and case the person typed. */
export const hashUserCode = (userCode: string): string => hashCode(`user:${userCode.toUpperCase().replace(/-/g, '')}`);
