// `gatehouse login` and `logout`. A person signs in with email and password
// (POST /api/v1/auth/login; the tokens are refreshed as they expire); a
// service with its client id and secret (client_credentials at the token
// endpoint, for the API resource; the secret is not stored, so a new login
// is needed when the token expires).
import { DEFAULT_URL, deviceHeaders, parse, send, toCredentials } from './api-client.ts';
import { type CommandContext, type CommandGroup, str } from './command.ts';
import { readCredentials, removeCredentials, writeCredentials } from './credentials.ts';
import { UsageError } from './errors.ts';
import { prompt, readPassword, readStdin } from './secret-input.ts';

const serverUrl = (ctx: CommandContext) => (str(ctx, 'url') ?? ctx.env.GATEHOUSE_URL ?? DEFAULT_URL).replace(/\/+$/, '');

interface LoginAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

const postJson = (url: string, body: unknown) =>
  send(url, { method: 'POST', headers: { 'content-type': 'application/json', ...deviceHeaders() }, body: JSON.stringify(body) });

async function passwordLogin(ctx: CommandContext, url: string, email: string): Promise<LoginAnswer> {
  const password = await readPassword({ fromStdin: ctx.values['password-stdin'] === true }, ctx.stdin);
  const res = await postJson(`${url}/api/v1/auth/login`, { email, password });
  if (res.status === 403) {
    // API.md: with a factor enrolled, a correct password answers MFA_REQUIRED with a token for the second step.
    const body = (await res.clone().json().catch(() => undefined)) as { error?: { code?: string }; mfa?: { token?: string } } | undefined;
    if (body?.error?.code === 'MFA_REQUIRED' && typeof body.mfa?.token === 'string') return secondFactor(ctx, url, body.mfa.token);
  }
  return (await parse(res)) as LoginAnswer;
}

/** The second step: a TOTP code from --code, or typed at a prompt (a recovery code works there too with --recovery-code). */
async function secondFactor(ctx: CommandContext, url: string, mfaToken: string): Promise<LoginAnswer> {
  const recovery = str(ctx, 'recovery-code');
  let code = str(ctx, 'code');
  if (code === undefined && recovery === undefined) {
    if (!ctx.stdin.isTTY || ctx.values['password-stdin'] === true) {
      throw new UsageError('this account has a second factor: give --code <6 digits> (or --recovery-code <code>)');
    }
    code = await prompt('Authentication code: ', ctx.stdin);
  }
  const res = await postJson(`${url}/api/v1/auth/login/mfa`, { mfa_token: mfaToken, ...(recovery !== undefined ? { recovery_code: recovery } : { code }) });
  return (await parse(res)) as LoginAnswer;
}

async function clientLogin(ctx: CommandContext, url: string, clientId: string): Promise<LoginAnswer> {
  const secret = ctx.values['client-secret-stdin'] === true ? await readStdin(ctx.stdin) : (str(ctx, 'client-secret') ?? ctx.env.GATEHOUSE_CLIENT_SECRET);
  if (!secret) throw new UsageError('--client-secret, --client-secret-stdin or GATEHOUSE_CLIENT_SECRET is required with --client-id');
  // The issuer is PUBLIC_URL/oidc and the API's resource indicator PUBLIC_URL/api (API.md), whatever URL reached the server.
  const discovery = (await parse(await send(`${url}/oidc/.well-known/openid-configuration`, {}))) as { issuer: string; token_endpoint: string };
  const resource = `${discovery.issuer.replace(/\/oidc$/, '')}/api`;
  const res = await send(discovery.token_endpoint.replace(/^https?:\/\/[^/]+/, url), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // RFC 6749 §2.3.1: both parts form-encoded before Basic.
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'api' }),
  });
  return (await parse(res)) as LoginAnswer;
}

export const authCommands: CommandGroup = {
  name: 'login',
  summary: 'Sign in to a server (tokens kept in a 0600 file) or sign out',
  commands: [
    {
      name: 'login',
      usage:
        '(--email <address> [--password-stdin] [--code <totp> | --recovery-code <code>] | --client-id <id> [--client-secret <s> | --client-secret-stdin]) [--url <server>]',
      summary: 'Sign in as a person (email and password) or as a client (client credentials)',
      options: {
        email: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        code: { type: 'string' },
        'recovery-code': { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'client-secret-stdin': { type: 'boolean' },
      },
      async run(ctx) {
        const url = serverUrl(ctx);
        const email = str(ctx, 'email');
        const clientId = str(ctx, 'client-id');
        if (Boolean(email) === Boolean(clientId)) throw new UsageError('give either --email or --client-id');
        // Wrong credentials are a 401 (INVALID_CREDENTIALS, invalid_client): exit 3, like any refused credential.
        const tokens = email ? await passwordLogin(ctx, url, email) : await clientLogin(ctx, url, clientId!);
        const credentials = toCredentials(url, email ? 'password' : 'client_credentials', email ?? clientId!, tokens);
        await writeCredentials(credentials, ctx.env);
        ctx.out.done(
          { url, method: credentials.method, subject: credentials.subject, expires_at: credentials.expires_at },
          `logged in to ${url} as ${credentials.subject}`,
        );
      },
    },
    {
      name: 'logout',
      usage: '',
      summary: 'End the session on the server and forget the tokens',
      async run(ctx) {
        const credentials = await readCredentials(ctx.env);
        if (credentials?.method === 'password') {
          // Best effort: the tokens are forgotten here either way.
          await send(`${credentials.url}/api/v1/auth/logout`, {
            method: 'POST',
            headers: { authorization: `Bearer ${credentials.access_token}`, 'content-type': 'application/json' },
            body: '{}',
          }).catch(() => undefined);
        }
        await removeCredentials(ctx.env);
        ctx.out.done({ logged_out: credentials?.url ?? null }, credentials ? `logged out of ${credentials.url}` : 'not logged in');
      },
    },
  ],
};
