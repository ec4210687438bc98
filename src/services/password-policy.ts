// API.md's password policy. No composition rules (NIST SP 800-63B-4 §3.1.1.2:
// they make passwords weaker and harder to remember); instead a length floor
// and a blocklist of values attackers try first. Every check runs on the NFKC
// form, the form the hasher hashes, so what is checked is what is stored.
// The reason is returned so the user can act on it.
import { dictionary } from '@zxcvbn-ts/language-common';
import { normalizeEmail } from './email.ts';

/** NIST SP 800-63B-4 §3.1.1.2: at least 8 when the password is one of several factors (15 when it is the only one). */
export const DEFAULT_MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;
/** The service's own name is among the first words an attacker tries here. */
const SERVICE_NAME = 'gatehouse';
/** Shorter common words with digits added are too many to refuse without refusing good passwords. */
const MIN_BLOCKED_STEM = 4;

// zxcvbn-ts's maintained list of ~49,000 common passwords (lower-case), ranked
// by frequency in breach corpora; loaded once.
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common'] as string[]);

/** NFKC (Unicode UAX #15): a password typed as NFC on one device and NFD on another is one password. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** The password without the digits and symbols around it: `Summer2025!` is `summer` with a suffix. */
function stem(lower: string): string {
  return lower.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
}

export interface PasswordPolicy {
  /** The reason the password is refused, or undefined when it is acceptable. */
  weakness(password: string, email: string | undefined): string | undefined;
}

export function createPasswordPolicy(options: { minLength?: number } = {}): PasswordPolicy {
  const minLength = options.minLength ?? DEFAULT_MIN_PASSWORD_LENGTH;
  return {
    weakness(raw, email) {
      const password = normalizePassword(raw);
      // Counted in code points, so an emoji is one character, as a person counts it.
      const chars = [...password];
      if (chars.length < minLength) return `The password must be at least ${minLength} characters long.`;
      if (chars.length > MAX_PASSWORD_LENGTH) return `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`;
      if (password.trim() === '') return 'The password must not be only spaces.';
      if (new Set(chars).size === 1) return 'The password must not be one character repeated.';
      const lower = password.toLowerCase();
      const core = stem(lower);
      if (COMMON_PASSWORDS.has(lower)) return 'This password is too common; choose one that is harder to guess.';
      if (core.length >= MIN_BLOCKED_STEM && COMMON_PASSWORDS.has(core)) {
        return 'This password is a common word with digits or symbols added, which attackers try early; choose one that is harder to guess.';
      }
      if (core === SERVICE_NAME) return 'The password must not be the name of this service.';
      if (email !== undefined && emailWeakness(lower, core, email)) return 'The password must not be your email address or its name part.';
      return undefined;
    },
  };
}

function emailWeakness(lower: string, core: string, email: string): boolean {
  const address = normalizeEmail(email);
  if (normalizeEmail(lower) === address) return true;
  const local = address.slice(0, address.lastIndexOf('@'));
  const localCore = stem(local);
  return lower === local || (localCore !== '' && core === localCore);
}
