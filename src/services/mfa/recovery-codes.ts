// Recovery codes: 10 per account, shown once, stored as SHA-256 hashes. Each
// carries 50 random bits (10 base32 characters), too many to guess within
// the MFA lock, so a fast hash is enough (as for the other one-time tokens).
import { createHash, randomBytes } from 'node:crypto';
import type { FactorStore } from '../../storage/ports.ts';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** `xxxxx-xxxxx`, lower-case base32 (no 0/1/8/9 to misread). */
function newCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

export const newRecoveryCodes = (): string[] => Array.from({ length: RECOVERY_CODE_COUNT }, newCode);

/** As typed: case, spaces and dashes do not matter. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.toLowerCase().replace(/[\s-]+/g, '')).digest('hex');
}

/** Ten new codes for the account, replacing any older ones at once; the codes themselves, to show once. */
export async function issueRecoveryCodes(factors: Pick<FactorStore, 'replaceRecoveryCodes'>, accountId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await factors.replaceRecoveryCodes(accountId, codes.map(hashRecoveryCode), new Date());
  return codes;
}
