// oidc-provider's judgement of client metadata, for the admin API
// (services/client-admin.ts): the same validation the clients file gets at
// start (Client.validate, with Gatehouse's extraClientMetadata rules), plus a
// refusal of fields oidc-provider would silently drop, so nothing is accepted
// that is not honoured.
import { errors, type Provider } from 'oidc-provider';
import { InvalidClientMetadataError } from '../errors.ts';
import type { ClientRules } from '../services/client-admin.ts';
import { secretIsKey } from './client-secrets.ts';

export function createClientRules(provider: Provider): ClientRules {
  return {
    async validate(metadata) {
      let recognised: Set<string>;
      try {
        await provider.Client.validate(metadata as never);
        const Client = provider.Client as unknown as new (metadata: unknown) => { metadata(): Record<string, unknown> };
        recognised = new Set(Object.keys(new Client(metadata).metadata()));
      } catch (err) {
        if (err instanceof errors.InvalidClientMetadata || err instanceof errors.InvalidRedirectUri) {
          throw new InvalidClientMetadataError(err.error_description ?? err.message);
        }
        throw err;
      }
      const unknown = Object.keys(metadata).filter((name) => !recognised.has(name));
      if (unknown.length > 0) throw new InvalidClientMetadataError(`unrecognized client metadata: ${unknown.join(', ')}`);
    },
    needsSecret: (metadata) => (provider.Client as unknown as { needsSecret(m: unknown): boolean }).needsSecret(metadata),
    secretIsKey,
  };
}
