// The single-page app of the oidc-client-ts interop test: a public client
// doing what the library's documentation shows. It runs in Chromium, loaded
// from a test server on another origin than Gatehouse, so every call to the
// token and userinfo endpoints is a real cross-origin (CORS) request.
/* global oidc, document, location, history, sessionStorage */
const { authority, clientId } = document.documentElement.dataset;
const manager = new oidc.UserManager({
  authority,
  client_id: clientId,
  redirect_uri: `${location.origin}/callback`,
  post_logout_redirect_uri: `${location.origin}/logged-out`,
  response_type: 'code',
  // offline_access is only granted with prompt=consent (OIDC Core §11).
  scope: 'openid email profile offline_access',
  prompt: 'consent',
  // Keep the ID token's amr: the library strips it by default.
  filterProtocolClaims: false,
  // The profile comes from the ID token alone, so the test pins its claims.
  loadUserInfo: false,
  automaticSilentRenew: false,
});

const show = (id, value) => { document.getElementById(id).textContent = value ?? ''; };

function render(user, status) {
  show('sub', user?.profile.sub);
  show('email', user?.profile.email);
  show('name', user?.profile.name);
  show('amr', Array.isArray(user?.profile.amr) ? user.profile.amr.join(' ') : '');
  // The page's tokens, for the test to check against Gatehouse (test page only).
  sessionStorage.setItem('interop.access_token', user?.access_token ?? '');
  sessionStorage.setItem('interop.refresh_token', user?.refresh_token ?? '');
  show('status', status);
}

async function start() {
  if (location.pathname === '/callback') {
    const user = await manager.signinCallback();
    history.replaceState(null, '', '/');
    return render(user, 'signed in');
  }
  if (location.pathname === '/logged-out') {
    await manager.signoutCallback();
    return render(null, 'signed out');
  }
  const user = await manager.getUser();
  return render(user, user ? 'signed in' : 'signed out');
}

function fail(error) {
  show('status', `error: ${error && error.message ? error.message : String(error)}`);
}

document.getElementById('sign-in').addEventListener('click', () => manager.signinRedirect().catch(fail));
document.getElementById('sign-out').addEventListener('click', () => manager.signoutRedirect().catch(fail));
document.getElementById('refresh').addEventListener('click', () => {
  show('status', 'refreshing');
  // With a refresh token in the stored user, signinSilent uses the
  // refresh_token grant (no iframe).
  manager.signinSilent().then((user) => {
    show('refreshes', String(Number(document.getElementById('refreshes').textContent) + 1));
    render(user, 'refreshed');
  }, fail);
});
start().catch(fail);
