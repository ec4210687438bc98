// Where a console may send the browser after signing in: a path on this
// server, never a URL another site chose (no open redirect).
const LOCAL_PATH = /^\/(?![/\\])[\x21-\x7e]*$/;

export const DEFAULT_RETURN = '/account';

/** `value` when it is a local path (with its query), else the account console. */
export function localPathOr(value: unknown, fallback = DEFAULT_RETURN): string {
  if (typeof value !== 'string' || value.length > 2048 || !LOCAL_PATH.test(value) || value.includes('\\')) return fallback;
  // A path the URL parser would take somewhere else (`/%2F…` stays local; `//` was refused above).
  const resolved = new URL(value, 'http://local.invalid');
  return resolved.origin === 'http://local.invalid' ? resolved.pathname + resolved.search : fallback;
}
