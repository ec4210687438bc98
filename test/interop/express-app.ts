// A small Express web app protected by express-openid-connect, configured as
// its README tells a Gatehouse user to: the code flow (the library's default
// is the implicit id_token flow, which Gatehouse does not serve), a client
// secret, offline_access for refresh, and logout at the provider too.
import { createServer, type Server } from 'node:http';
import express from 'express';
import expressOpenIdConnect from 'express-openid-connect';

// A CommonJS module whose exports Node's named-import detection cannot see.
const { auth, requiresAuth } = expressOpenIdConnect;

/** What the app's handlers saw, for the test to inspect. */
export interface SeenProfile {
  user: Record<string, unknown> | undefined;
  userinfo: Record<string, unknown>;
  accessToken: string;
}

export interface ExpressApp {
  origin: string;
  profiles: SeenProfile[];
  refreshed: string[];
  close(): Promise<void>;
}

export async function startExpressApp(options: { port: number; issuer: string; clientId: string; clientSecret: string }): Promise<ExpressApp> {
  const origin = `http://127.0.0.1:${options.port}`;
  const profiles: SeenProfile[] = [];
  const refreshed: string[] = [];
  const app = express();
  app.use(auth({
    issuerBaseURL: options.issuer,
    baseURL: origin,
    clientID: options.clientId,
    clientSecret: options.clientSecret,
    clientAuthMethod: 'client_secret_basic',
    // Encrypts the app's own session cookie; any 32+ characters in a test.
    secret: 'express-openid-connect-session-secret-for-tests',
    authRequired: false,
    idpLogout: true,
    routes: { postLogoutRedirect: '/logged-out' },
    // offline_access is only granted with prompt=consent (OIDC Core §11).
    authorizationParams: { response_type: 'code', scope: 'openid email profile offline_access', prompt: 'consent' },
  }));
  app.get('/', (req, res) => {
    res.type('html').send(`<!doctype html><title>Home</title><h1>${req.oidc.isAuthenticated() ? 'Signed in' : 'Signed out'}</h1>`);
  });
  app.get('/profile', requiresAuth(), async (req, res) => {
    profiles.push({ user: req.oidc.user, userinfo: await req.oidc.fetchUserInfo(), accessToken: req.oidc.accessToken!.access_token });
    res.type('html').send('<!doctype html><title>Profile</title><h1>Profile</h1>');
  });
  app.get('/refresh', requiresAuth(), async (req, res) => {
    const token = await req.oidc.accessToken!.refresh();
    refreshed.push(token.access_token);
    res.type('html').send('<!doctype html><title>Refreshed</title><h1>Refreshed</h1>');
  });
  app.get('/logged-out', (req, res) => {
    res.type('html').send(`<!doctype html><title>Logged out</title><h1>${req.oidc.isAuthenticated() ? 'Still signed in' : 'Logged out'}</h1>`);
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    origin,
    profiles,
    refreshed,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
