// Why /api/v1 refused a token, in words a developer can act on. The API
// takes only its own RFC 9068 JWTs (API.md); the usual mistakes are sending
// the opaque token a client gets for userinfo when it asked for no resource,
// an ID token, or a token for another audience. The token is only decoded
// here, never trusted: this chooses a message, the verifier decides.
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { API_SCOPE } from './resource-server.ts';

function decoded(token: string): { typ: unknown; payload: JWTPayload } | undefined {
  try {
    return { typ: decodeProtectedHeader(token).typ, payload: decodeJwt(token) };
  } catch {
    return undefined;
  }
}

/** The UNAUTHENTICATED message for a token the API's verifier refused. */
export function explainRefusedToken(token: string, apiAudience: string): string {
  const request = `request an access token with resource=${apiAudience} and scope ${API_SCOPE}`;
  const jwt = decoded(token);
  if (!jwt) {
    return `This access token is opaque (oidc-provider issues those for /oidc/userinfo when no resource is asked for); /api/v1 takes JWT access tokens for the API: ${request}.`;
  }
  if (jwt.typ !== 'at+jwt') {
    return `This is not an access token (an ID token tells the client who signed in and authorises nothing): ${request}.`;
  }
  const audiences = [jwt.payload.aud].flat();
  if (!audiences.includes(apiAudience)) {
    return `This access token is for another audience; /api/v1 takes tokens for ${apiAudience}: ${request}.`;
  }
  const scopes = typeof jwt.payload.scope === 'string' ? jwt.payload.scope.split(' ') : [];
  if (!scopes.includes(API_SCOPE)) return `This access token lacks the ${API_SCOPE} scope: ${request}.`;
  return 'The access token is invalid or expired.';
}
