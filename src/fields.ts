// The input fields every edge shares: the JSON API's schemas
// (src/http/api/schemas.ts) and the page forms (src/pages/form.ts) validate
// email, password, name and token with these same definitions, so a limit is
// written once.
import { z } from 'zod';
import { normalizeEmail } from './services/email.ts';

// Long enough for any real address (RFC 5321 caps a path at 256 octets).
export const emailField = z
  .string()
  .max(320)
  // Normalised before the format check, so `Ａda@Example.com ` is accepted as ada@example.com.
  .transform(normalizeEmail)
  .pipe(z.email({ error: 'must be an email address' }))
  .meta({ description: 'Trimmed, NFKC-normalised and lower-cased before use.', example: 'ada@example.com' });

// The policy (8-256 characters, not common, not the email) answers
// WEAK_PASSWORD with its reason; this bound only keeps huge strings away from argon2.
export const passwordField = z.string().min(1, 'must not be empty').max(4096).meta({ format: 'password', example: 'plum kettle harbour seventeen' });

export const nameField = z.string().trim().max(200).meta({ example: 'Ada Lovelace' }).nullable();

// OIDC Core §5.1 `picture`: shown by relying parties in <img>, so only https
// (no javascript:, data: or mixed content), and no credentials in the URL.
export const pictureField = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => URL.canParse(v) && new URL(v).protocol === 'https:' && new URL(v).username === '' && new URL(v).password === '', {
    message: 'must be an https URL',
  })
  .nullable()
  .meta({ description: 'An https URL of a picture of the person, or null.', example: 'https://images.example.com/ada.png' });

export const tokenField = z.string().min(1).max(512).meta({ description: 'The token from the link in the mail.', example: 'kq1fX3c9Vd0yJr7bN2pLw8Hs5tMz4QaE6uGiOe1RnYc' });
