// The CLI's HTTP side: JSON requests to a Gatehouse server with the stored
// access token, refreshed with the refresh token when it has expired or is
// refused (a retired signing key, for one), and the API's error envelope
// turned into one line and an exit code (errors.ts).
import { hostname } from 'node:os';
import { ApiError, NotLoggedInError, UnreachableError } from './errors.ts';
import { readCredentials, writeCredentials, type Credentials } from './credentials.ts';

export const DEFAULT_URL = 'http://localhost:3000';

/** What the API answers, parsed; undefined for an empty body (204, 202). */
export type Json = unknown;

export interface ApiClient {
  url: string;
  request(method: string, path: string, options?: { body?: unknown; query?: Record<string, string | undefined> }): Promise<Json>;
}

/** Headers naming this device in the account's session list (API.md: X-Device-Name, X-Device-Type). */
export const deviceHeaders = () => ({ 'x-device-name': `gatehouse CLI on ${hostname()}`.slice(0, 64), 'x-device-type': 'cli' });

/** fetch, with a refused connection turned into UnreachableError. */
export async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new UnreachableError(new URL(url).origin, err);
  }
}

/** The body as JSON, or an ApiError from the envelope (`{error: {code, message}}`) or an OAuth error (`{error, error_description}`). */
export async function parse(res: Response): Promise<Json> {
  const text = await res.text();
  let body: unknown;
  let json = true;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = false;
  }
  // A 202 or 204 has no body in the contract (Koa writes its status text, `Accepted`, on a 202).
  if (res.status === 202 || res.status === 204) return undefined;
  // Not Gatehouse answering (a proxy's page, a different service): say so rather than fail on the missing fields.
  if (res.ok && !json) throw new ApiError(res.status, 'BAD_RESPONSE', 'the server did not answer JSON (is --url a Gatehouse server?)');
  if (res.ok) return body;
  const error = (body as { error?: unknown; error_description?: unknown } | undefined)?.error;
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    throw new ApiError(res.status, String(code ?? res.status), String(message ?? res.statusText));
  }
  if (typeof error === 'string') {
    throw new ApiError(res.status, error, String((body as { error_description?: unknown }).error_description ?? res.statusText));
  }
  throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText || 'the server answered with an error');
}

/** The login answer's tokens as stored credentials. */
export function toCredentials(
  url: string,
  method: Credentials['method'],
  subject: string,
  tokens: { access_token: string; refresh_token?: string; expires_in: number },
): Credentials {
  return {
    url,
    method,
    subject,
    access_token: tokens.access_token,
    ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
    expires_at: new Date(Date.now() + tokens.expires_in * 1000).toISOString(),
  };
}

/** Refresh a little before the expiry, so a token never expires in flight. */
const EXPIRY_MARGIN_MS = 30_000;

export async function createApiClient(options: { url?: string; env?: NodeJS.ProcessEnv }): Promise<ApiClient> {
  const env = options.env ?? process.env;
  let credentials = await readCredentials(env);
  const url = (options.url ?? env.GATEHOUSE_URL ?? credentials?.url ?? DEFAULT_URL).replace(/\/+$/, '');
  if (!credentials) throw new NotLoggedInError();
  if (credentials.url !== url) throw new NotLoggedInError(`logged in to ${credentials.url}, not ${url}`);

  async function refresh(current: Credentials): Promise<Credentials> {
    if (!current.refresh_token) throw new NotLoggedInError('the access token has expired');
    const res = await send(`${url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...deviceHeaders() },
      body: JSON.stringify({ refresh_token: current.refresh_token }),
    });
    if (res.status === 401) throw new NotLoggedInError('the session has ended');
    const tokens = (await parse(res)) as { access_token: string; refresh_token: string; expires_in: number };
    const next = toCredentials(url, current.method, current.subject, tokens);
    await writeCredentials(next, env);
    return next;
  }

  return {
    url,
    async request(method, path, { body, query } = {}) {
      const target = new URL(`${url}${path}`);
      for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) target.searchParams.set(name, value);
      const call = (token: string) =>
        send(target.href, {
          method: method.toUpperCase(),
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      let creds = credentials!;
      let refreshed = false;
      if (Date.parse(creds.expires_at) - EXPIRY_MARGIN_MS <= Date.now()) {
        creds = credentials = await refresh(creds);
        refreshed = true;
      }
      let res = await call(creds.access_token);
      // A token refused before its expiry (its key retired, say): one refresh, one retry.
      if (res.status === 401 && !refreshed && creds.refresh_token) {
        creds = credentials = await refresh(creds);
        res = await call(creds.access_token);
      }
      return parse(res);
    },
  };
}
