// What every account console page shares: the signed-in account for the
// layout's header, the page's place in the navigation, the one-line notices a
// redirect after a form post asks for, and the form kit drawn with them.
import type { Context } from 'koa';
import { createPageForm, type PageForm } from '../../form.ts';
import type { Renderer } from '../../render.ts';
import type { ConsoleState } from '../../console/require-console.ts';

/** The console's sections, in navigation order. */
export const SECTIONS = [
  { id: 'overview', href: '/account', text: 'Profile' },
  { id: 'password', href: '/account/password', text: 'Password' },
  { id: 'security', href: '/account/security', text: 'Two-step verification' },
  { id: 'sessions', href: '/account/sessions', text: 'Sessions' },
  { id: 'apps', href: '/account/apps', text: 'Connected apps' },
  { id: 'organizations', href: '/account/organizations', text: 'Organizations' },
  { id: 'activity', href: '/account/activity', text: 'Security activity' },
  { id: 'delete', href: '/account/delete', text: 'Delete account' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

// A redirect names a notice by key; the text is ours, never the request's.
const NOTICES: Readonly<Record<string, string>> = {
  profile: 'Your profile is saved.',
  password: 'Your password is changed. Your other sessions were signed out.',
  revoked: 'The session is signed out.',
  others: 'Every other session is signed out.',
  gone: 'That session had already ended.',
  'app-revoked': 'The app no longer has access to your account.',
  'app-gone': 'That app had no access left.',
  'mfa-added': 'The authenticator app is set up.',
  'mfa-removed': 'The factor is removed.',
  'org-created': 'The organization is created; you are its owner.',
  'org-joined': 'You joined the organization.',
  'org-left': 'You left the organization.',
  'org-last-owner': 'You are its last owner: make someone else owner first, or delete the organization.',
  'mfa-renamed': 'The factor is renamed.',
};

export const consoleState = (ctx: Context) => ctx.state.console as ConsoleState;

/** The renderer for console pages: adds the account and the notice of `?done=`. */
export function consoleRenderer(render: Renderer): Renderer {
  return (ctx, view, data = {}, status) => {
    const state = ctx.state.console as ConsoleState | undefined;
    const done = (ctx as Context).query?.done;
    const notice = typeof done === 'string' ? NOTICES[done] : undefined;
    return render(ctx, view, { sections: SECTIONS, home: '/account', consoleName: 'Account', me: state?.account, notice, ...data }, status);
  };
}

export interface ConsoleKit {
  render: Renderer;
  pageForm: PageForm;
}

export function createConsoleKit(render: Renderer): ConsoleKit {
  const draw = consoleRenderer(render);
  return { render: draw, pageForm: createPageForm(draw) };
}
