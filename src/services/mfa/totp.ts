// RFC 6238 TOTP as API.md fixes it: SHA-1, 6 digits, 30-second steps, a code
// of the step before or after the current one accepted (clock drift). The
// single use of each step is the store's (FactorStore.useTotpStep): this
// module only says which step a code belongs to.
import { generateSecret, generateURI, verify } from 'otplib';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** A new shared secret: 20 random bytes (RFC 4226 §4's recommended 160 bits), base32. */
export const newTotpSecret = (): string => generateSecret({ length: 20 });

/** The otpauth:// URI an authenticator app reads (Key Uri Format): issuer and the account's address as label. */
export function otpauthUri(input: { issuer: string; label: string; secret: string }): string {
  return generateURI({ issuer: input.issuer, label: input.label, secret: input.secret, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

const CODE = /^\d{6}$/;

/** The time step `code` is valid for at `now` (±1 step), or undefined. */
export async function totpStepOf(secret: string, code: string, now: Date): Promise<number | undefined> {
  const token = code.replace(/\s+/g, '');
  if (!CODE.test(token)) return undefined;
  try {
    const result = await verify({
      secret, token, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS,
      epoch: Math.floor(now.getTime() / 1000), epochTolerance: TOTP_PERIOD_SECONDS,
    });
    // A TOTP verification's result carries the step it matched (the HOTP one shares the type).
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  } catch {
    // A malformed stored secret or token: not a valid code.
    return undefined;
  }
}
