// A relying party's back-channel logout endpoint (OIDC Back-Channel Logout
// 1.0 §2.5): a real HTTP listener on loopback that takes the POSTed
// logout_token, verifies it as an RP must (§2.6: signature by the issuer's
// JWKS, iss, aud, iat, jti, the events claim, sub or sid, no nonce) and keeps
// what it verified. It can answer 500 to the first attempts, or hold its
// answers until released, to test retries and that nobody waits on it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface LogoutToken extends JWTPayload {
  sid?: string;
  events: Record<string, unknown>;
}

export interface LogoutListener {
  /** The URI to register as backchannel_logout_uri. */
  uri: string;
  /** Verified tokens, in arrival order. */
  tokens: LogoutToken[];
  /** Attempts received, verified or not (retries count). */
  attempts: number;
  /** Answer 500 to the next `count` attempts. */
  failNext(count: number): void;
  /** Hold every answer until release(); held requests stay open. */
  hold(): void;
  release(): void;
  /** Requests received and not yet answered, with whether the sender gave up on them. */
  held(): Array<{ aborted: boolean }>;
  /** Resolves once `count` tokens have been verified (the test's timeout bounds the wait). */
  waitForTokens(count: number): Promise<LogoutToken[]>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** §2.6's checks beyond the signature, iss and aud (jwtVerify's). */
function checkClaims(payload: JWTPayload, header: { typ?: string }): LogoutToken {
  const events = payload.events as Record<string, unknown> | undefined;
  if (!events || typeof events[LOGOUT_EVENT] !== 'object') throw new Error('no back-channel logout event');
  if (typeof payload.iat !== 'number' || typeof payload.jti !== 'string') throw new Error('iat and jti are required');
  if (!payload.sub && !payload.sid) throw new Error('sub or sid is required');
  if ('nonce' in payload) throw new Error('a logout token must not carry a nonce');
  if (header.typ !== 'logout+jwt') throw new Error(`typ ${header.typ}`);
  return payload as LogoutToken;
}

export async function startLogoutListener(options: { issuer: string; clientId: string }): Promise<LogoutListener> {
  const jwks = createRemoteJWKSet(new URL(`${options.issuer}/jwks`));
  const tokens: LogoutToken[] = [];
  const waiters: Array<() => void> = [];
  const pending: Array<{ res: ServerResponse; aborted: boolean; answer: () => void }> = [];
  let failures = 0;
  let holding = false;
  let attempts = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    attempts += 1;
    const body = new URLSearchParams(await readBody(req));
    let status = 200;
    try {
      const { payload, protectedHeader } = await jwtVerify(body.get('logout_token') ?? '', jwks, {
        issuer: options.issuer, audience: options.clientId,
      });
      if (failures > 0) {
        failures -= 1;
        status = 500;
      } else {
        tokens.push(checkClaims(payload, protectedHeader));
        waiters.splice(0).forEach((wake) => wake());
      }
    } catch {
      status = 400;
    }
    const answer = () => {
      res.writeHead(status).end();
    };
    if (!holding) {
      answer();
      return;
    }
    const entry = { res, aborted: false, answer };
    req.socket.once('close', () => { entry.aborted = !res.writableEnded; });
    pending.push(entry);
  }

  const server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    uri: `http://127.0.0.1:${port}/backchannel-logout`,
    tokens,
    get attempts() { return attempts; },
    failNext(count) { failures = count; },
    hold() { holding = true; },
    release() {
      holding = false;
      pending.splice(0).forEach((entry) => entry.answer());
    },
    held: () => pending.map(({ aborted }) => ({ aborted })),
    async waitForTokens(count) {
      while (tokens.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return tokens.slice(0, count);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
