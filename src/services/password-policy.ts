// API.md's password policy: length 8-256, not a common password, not the
// email. No composition rules (NIST SP 800-63B §5.1.1.2: they make passwords
// weaker and harder to remember). The reason is returned so the user can act.
import { dictionary } from '@zxcvbn-ts/language-common';
import { normalizeEmail } from './email.ts';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

// zxcvbn-ts's maintained list of ~49,000 common passwords (lower-case), ranked
// by frequency in breach corpora; loaded once.
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common'] as string[]);

/** Length is counted in code points, so an emoji is one character, as a person counts it. */
function length(password: string): number {
  return [...password].length;
}

/** The reason the password is refused, or undefined when it is acceptable. */
export function passwordWeakness(password: string, email: string | undefined): string | undefined {
  const n = length(password);
  if (n < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
  if (n > MAX_PASSWORD_LENGTH) return `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`;
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return 'This password is too common; choose one that is harder to guess.';
  if (email !== undefined && normalizeEmail(password) === normalizeEmail(email)) return 'The password must not be your email address.';
  return undefined;
}
