// Encryption at rest with ENCRYPTION_KEY: AES-256-GCM (authenticated, so a
// wrong key or a tampered value fails instead of decrypting to garbage), with
// a key derived from the configured string by HKDF-SHA256 (RFC 5869), so any
// long random string works as ENCRYPTION_KEY. Each value is bound to what it
// belongs to (the associated data, e.g. a secret's id), so a sealed value
// copied onto another record does not decrypt.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

/** ENCRYPTION_KEY is missing, or does not open what is stored. Reported at start as one line. */
export class EncryptionKeyError extends Error {}

export interface Cipher {
  /** `v1.<iv>.<ciphertext>.<tag>`, base64url parts. */
  seal(plain: string, associatedData: string): string;
  /** The plain text; EncryptionKeyError when the key (or the associated data) does not match. */
  open(sealed: string, associatedData: string): string;
}

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(`${VERSION}.`);

export function createCipher(encryptionKey: string): Cipher {
  const key = Buffer.from(hkdfSync('sha256', encryptionKey, 'gatehouse', 'gatehouse at-rest encryption v1', 32));
  return {
    seal(plain, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(associatedData, 'utf8'));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv, data, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed, associatedData) {
      const [version, iv, data, tag] = sealed.split('.');
      if (version !== VERSION || iv === undefined || data === undefined || tag === undefined) {
        throw new EncryptionKeyError('a stored encrypted value is malformed');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
          .setAAD(Buffer.from(associatedData, 'utf8'))
          .setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new EncryptionKeyError('ENCRYPTION_KEY does not decrypt the stored secrets (a different key encrypted them)');
      }
    },
  };
}
