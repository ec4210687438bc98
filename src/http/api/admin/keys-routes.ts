// /api/v1/admin/keys: the signing keys, their rotation and retirement
// (src/oidc/key-management.ts). This process swaps to the new keys before
// answering; the others within KEYS_REFRESH_SECONDS (src/oidc/key-ring.ts).
// Nothing here ever carries private key material: the items are metadata.
import { z } from 'zod';
import { KeyActiveError, NotFoundError } from '../../../errors.ts';
import { listSigningKeys, retireSigningKey, rotateKeys, type SigningKeyInfo } from '../../../oidc/key-management.ts';
import type { KeyRing } from '../../../oidc/key-ring.ts';
import type { SecretStore } from '../../../storage/ports.ts';
import { adminRoute, type ApiRoute } from '../route.ts';

export interface KeysRouteDeps {
  secrets: SecretStore;
  keys: Pick<KeyRing, 'refresh'>;
}

/** The permission of routes open to any administrator (any `admin:*` permission). */
export const ANY_ADMIN_PERMISSION = '*';

const signingKeySchema = z
  .object({
    kid: z.string(),
    alg: z.string(),
    use: z.string(),
    status: z.enum(['active', 'previous']).describe('active: signs new tokens; previous: still verifies until retired'),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'SigningKey' });

const keyListSchema = z.object({ items: z.array(signingKeySchema) }).meta({ id: 'SigningKeyList' });

const toItem = (key: SigningKeyInfo) => ({
  kid: key.kid,
  alg: key.alg,
  use: key.use,
  status: key.status,
  created_at: key.createdAt.toISOString(),
});

export function keysRoutes(deps: KeysRouteDeps): ApiRoute[] {
  return [
    adminRoute(ANY_ADMIN_PERMISSION, {
      method: 'get', path: '/api/v1/admin/keys', tag: 'admin', operationId: 'listKeys',
      summary: 'The signing keys, newest first',
      description: 'The newest key of each algorithm is `active` (it signs); the others are `previous` and keep verifying until retired.',
      responses: { 200: { description: 'The signing keys', schema: keyListSchema } },
      async handle() {
        return { status: 200, body: { items: (await listSigningKeys(deps.secrets)).map(toItem) } };
      },
    }),

    adminRoute('keys:write', {
      method: 'post', path: '/api/v1/admin/keys/rotate', tag: 'admin', operationId: 'rotateKeys',
      summary: 'Add a new signing key of each algorithm (and a new cookie key)',
      description:
        'The new keys sign from now on: on this instance at once, on every other within KEYS_REFRESH_SECONDS. ' +
        'The old keys keep verifying until retired. The cookie key signing before stays valid for verification; older cookie keys are dropped.',
      responses: { 201: { description: 'The new signing keys', schema: keyListSchema } },
      async handle() {
        const created = await rotateKeys(deps.secrets);
        await deps.keys.refresh();
        return { status: 201, body: { items: created.map(toItem) } };
      },
    }),

    adminRoute<{ kid: string }>('keys:write', {
      method: 'delete', path: '/api/v1/admin/keys/:kid', tag: 'admin', operationId: 'retireKey',
      summary: 'Retire a signing key: tokens it signed stop verifying',
      description: 'Wait until tokens signed by it have expired (access and ID tokens: an hour at most) and KEYS_REFRESH_SECONDS have passed since the rotation.',
      params: z.object({ kid: z.string().min(1).max(200) }),
      responses: { 204: { description: 'Retired' } },
      errors: [{ error: NotFoundError, description: 'No signing key has this kid.' }, KeyActiveError],
      async handle({ params }) {
        await retireSigningKey(deps.secrets, params.kid);
        await deps.keys.refresh();
        return { status: 204 };
      },
    }),
  ];
}
