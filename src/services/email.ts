/**
 * API.md: emails are trimmed, NFKC-normalised and lower-cased before storage
 * and comparison, so `Ａlice@Example.com ` and `alice@example.com` are one account.
 */
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase();
}
