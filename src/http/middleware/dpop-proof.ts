// RFC 9449 DPoP at the API: a token bound to a key (`cnf.jkt`, which
// oidc-provider puts in tokens issued against a DPoP proof) is accepted only
// with a proof, signed by that key, made for this very request (§4.3, §7.1).
// A stolen bound token is then useless without the private key, and a stolen
// proof is useless for another request or a second time.
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWTPayload } from 'jose';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../errors.ts';
import type { RateLimitRule } from '../../storage/ports.ts';

/** oidc-provider's default dPoPSigningAlgValues: a key it binds tokens to can sign proofs here. */
export const DPOP_ALGS = ['ES256', 'Ed25519', 'EdDSA'];
/** How far a proof's `iat` may be from now (§11.1: proofs are made just before the request). */
export const DPOP_IAT_WINDOW_SECONDS = 60;

/**
 * The `jti` replay cache, on the store's rate limiter: one point per proof
 * id, kept for the whole time a proof with that `iat` could be accepted
 * (iat ± window). consume() is one atomic statement in every backend, so
 * among instances sharing the database exactly one request per proof wins.
 */
export const DPOP_REPLAY_RULE: RateLimitRule = { keyPrefix: 'dpop-jti', points: 1, durationSeconds: 2 * DPOP_IAT_WINDOW_SECONDS };

const WWW_AUTHENTICATE = `DPoP error="invalid_dpop_proof", algs="${DPOP_ALGS.join(' ')}"`;

/** RFC 9449 §7.1: 401 with a DPoP challenge naming the error. */
export class InvalidDpopProofError extends AppError {
  static override readonly code = 'UNAUTHENTICATED';
  static override readonly status = 401;
  static override readonly description = 'A DPoP-bound token without a valid DPoP proof (RFC 9449 §7.1).';

  constructor(message: string) {
    super(message, { headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } });
  }
}

export interface DpopRequest {
  method: string;
  path: string;
  get(field: string): string;
}

/** Resolves when the request's DPoP proof is valid for `accessToken` bound to `jkt`; InvalidDpopProofError otherwise. */
export type DpopProofCheck = (req: DpopRequest, accessToken: string, jkt: string) => Promise<void>;

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** `htu` without query and fragment (§4.3 item 9), normalised by the URL parser. */
function sameTarget(htu: unknown, expected: string): boolean {
  if (typeof htu !== 'string') return false;
  const actual = URL.parse(htu);
  if (!actual) return false;
  actual.search = '';
  actual.hash = '';
  return actual.href === expected;
}

async function verifiedProof(proof: string): Promise<{ payload: JWTPayload; thumbprint: string }> {
  try {
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGS });
    return { payload, thumbprint: await calculateJwkThumbprint(protectedHeader.jwk!) };
  } catch {
    // jose refuses a wrong typ or alg, a missing or private `jwk`, a bad signature.
    throw new InvalidDpopProofError('The DPoP proof is not a dpop+jwt signed by the public key in its header.');
  }
}

function claimsProblem(payload: JWTPayload, req: DpopRequest, expectedUrl: string, accessToken: string, nowSeconds: number): string | undefined {
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256) return 'The DPoP proof has no usable jti.';
  if (payload.htm !== req.method) return 'The DPoP proof was made for another HTTP method.';
  if (!sameTarget(payload.htu, expectedUrl)) return 'The DPoP proof was made for another URL.';
  if (typeof payload.iat !== 'number' || Math.abs(nowSeconds - payload.iat) > DPOP_IAT_WINDOW_SECONDS) return 'The DPoP proof is not fresh (iat).';
  if (payload.ath !== sha256(accessToken)) return 'The DPoP proof was made for another access token (ath).';
  return undefined;
}

export function createDpopProofCheck(deps: {
  /** PUBLIC_URL: `htu` is compared with the URL clients were told, never one built from request headers. */
  publicUrl: string;
  /** A limiter built from DPOP_REPLAY_RULE by the store (Store.createRateLimiter). */
  replay: RateLimiterAbstract;
  now?: () => number;
}): DpopProofCheck {
  const now = deps.now ?? Date.now;
  return async function checkDpopProof(req, accessToken, jkt) {
    const proof = req.get('dpop');
    // A JWS has no commas: one means several DPoP headers, which §4.3 refuses.
    if (!proof || proof.includes(',')) throw new InvalidDpopProofError('Exactly one DPoP proof header is required with a DPoP-bound token.');
    const { payload, thumbprint } = await verifiedProof(proof);
    const expectedUrl = new URL(`${deps.publicUrl}${req.path}`).href;
    const problem = claimsProblem(payload, req, expectedUrl, accessToken, Math.floor(now() / 1000));
    if (problem) throw new InvalidDpopProofError(problem);
    if (thumbprint !== jkt) throw new InvalidDpopProofError('The DPoP proof is signed by another key than the one the token is bound to.');
    // Last, so only an otherwise valid proof takes its jti.
    try {
      await deps.replay.consume(sha256(`${jkt}.${payload.jti as string}`));
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new InvalidDpopProofError('This DPoP proof was already used.');
      throw err;
    }
  };
}
