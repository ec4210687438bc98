// What the console sign-in needs from the rest of the server, wired by
// src/surfaces/pages.ts: the token endpoint in process, and the very checks
// the API's user and admin auth levels make (src/surfaces/api.ts).
import type { AccessTokenVerifier, Auth } from '../../http/middleware/require-bearer.ts';
import type { SessionService } from '../../services/sessions.ts';
import type { TokenEndpoint } from '../../oidc/token-endpoint.ts';
import type { Renderer } from '../render.ts';

export interface ConsoleSignInDeps {
  publicUrl: string;
  issuer: string;
  apiAudience: string;
  tokenEndpoint: TokenEndpoint;
  /** The API's access-token check (signature, audience, expiry, deleted clients). */
  verifyAccessToken: AccessTokenVerifier;
  /** The API's live-session check (session not ended, account not disabled). */
  liveSession: (claims: { accountId: string; sessionId: string }) => Promise<Auth>;
  /** A role's permissions as stored now (services/roles.ts). */
  permissionsOf: (role: string) => Promise<string[]>;
  sessions: Pick<SessionService, 'findLive' | 'signOut'>;
  render: Renderer;
}
