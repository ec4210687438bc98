// The user's half of an authorization request for relying-party libraries
// that are not browsers: Gatehouse's real login and consent pages, posted as
// a browser without JavaScript would (PageSession keeps the cookies), until
// the redirect back to the relying party.
import { PageSession } from '../support/page-session.ts';

export interface PageUser {
  email: string;
  password: string;
}

/**
 * Follow `authorizationUrl` through the login and consent pages (allowing
 * whatever is asked) and answer the URL the server redirected to, once it
 * starts with `redirectUri`; the relying party parses code and state from it.
 */
export async function signInThroughPages(
  authorizationUrl: string,
  redirectUri: string,
  user: PageUser,
  session = new PageSession(),
): Promise<URL> {
  const atClient = (location: string) => location.startsWith(redirectUri);
  let res = await session.follow(authorizationUrl, atClient);
  for (let pages = 0; !res.location; pages += 1) {
    if (res.status !== 200 || pages > 4) throw new Error(`unexpected ${res.status} at ${res.url}: ${res.body.slice(0, 300)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(res.body)?.[1];
    const posted = prompt === 'login'
      ? await session.submit(res, { email: user.email, password: user.password, action: 'login' })
      : await session.submit(res, { action: 'allow' });
    if (posted.status !== 303 || !posted.location) throw new Error(`${prompt ?? 'unknown'} page post answered ${posted.status}: ${posted.body.slice(0, 300)}`);
    res = atClient(posted.location) ? { ...posted, location: posted.location } : await session.follow(posted.location, atClient);
  }
  return new URL(res.location);
}
