import type { Migration } from './index.ts';

// Bearer values (tokens, codes, session cookie values) were stored in clear as
// ids; from now on the adapter stores them as SHA-256 hex (src/oidc/stored-ids.ts).
// This list is frozen with the migration: it is the set of models hashed when
// it was written. Interactions are short-lived (one hour) and carry a copy of
// the session cookie value, so they are dropped rather than rewritten: a
// sign-in in progress during the upgrade starts over.
const MODELS = [
  'AccessToken', 'AuthorizationCode', 'BackchannelAuthenticationRequest', 'ClientCredentials', 'DeviceCode',
  'InitialAccessToken', 'PreAuthorizedCode', 'PushedAuthorizationRequest', 'RefreshToken', 'RegistrationAccessToken',
  'ReplayDetection', 'Session',
].map((m) => `'${m}'`).join(', ');

const HASH = `encode(sha256(convert_to(id, 'UTF8')), 'hex')`;

export const hashedTokenIds: Migration = {
  id: '003-hashed-token-ids',
  statements: [
    `delete from oidc_payloads where model = 'Interaction'`,
    // Right-hand sides read the row's old values, so id and idHash are the same hash.
    `update oidc_payloads set id = ${HASH}, payload = (payload - 'jti') || jsonb_build_object('idHash', ${HASH})
     where model in (${MODELS})`,
  ],
};
