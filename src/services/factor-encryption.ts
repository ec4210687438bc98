// TOTP secrets encrypted at rest with ENCRYPTION_KEY (API.md, "Multi-factor
// authentication"): the FactorStore seen by the rest of Gatehouse holds the
// plain secret; the database holds an AES-GCM value bound to the factor's id
// (encryption.ts), so a sealed secret copied onto another factor does not open.
// Without ENCRYPTION_KEY (development only) secrets are stored as they are;
// a sealed secret read without the key fails with EncryptionKeyError.
import type { Factor, FactorStore } from '../storage/ports.ts';
import { EncryptionKeyError, isSealed, type Cipher } from './encryption.ts';

const AAD_PREFIX = 'mfa-factor:';

export function encryptFactorStore(factors: FactorStore, cipher: Cipher | undefined): FactorStore {
  const open = (factor: Factor | undefined): Factor | undefined => {
    if (factor === undefined || !isSealed(factor.secret)) return factor;
    if (!cipher) throw new EncryptionKeyError('the stored TOTP secrets are encrypted: set ENCRYPTION_KEY to the key that encrypted them');
    return { ...factor, secret: cipher.open(factor.secret, AAD_PREFIX + factor.id) };
  };
  return {
    ...factors,
    insert: async (factor) =>
      open(await factors.insert(
        cipher && typeof factor.secret === 'string' ? { ...factor, secret: cipher.seal(factor.secret, AAD_PREFIX + factor.id) } : factor,
      ))!,
    find: async (id) => open(await factors.find(id)),
    findByCredentialId: async (credentialId) => open(await factors.findByCredentialId(credentialId)),
    listByAccount: async (accountId) => (await factors.listByAccount(accountId)).map((f) => open(f)!),
    useTotpStep: async (id, step, now, options) => open(await factors.useTotpStep(id, step, now, options)),
    useWebauthnCounter: async (id, counter, now) => open(await factors.useWebauthnCounter(id, counter, now)),
    rename: async (id, accountId, name) => open(await factors.rename(id, accountId, name)),
  };
}
