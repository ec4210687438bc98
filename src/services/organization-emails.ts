// The organization invitation mail, composed from views/emails/ like the
// account mails (account-emails.ts). The link comes from PUBLIC_URL only and
// leads to the account console's page that accepts it after sign-in.
import { describeDuration } from './account-emails.ts';
import { DEFAULT_BRANDING, type Branding } from './branding.ts';
import type { Mailer } from './mailer.ts';
import { createTemplates } from './templates.ts';

export const ORGANIZATION_INVITATION_TTL_SECONDS = 7 * 24 * 3600;
export const INVITATION_ACCEPT_PATH = '/account/organizations/accept';

export interface OrganizationEmails {
  sendInvitation(input: { email: string; organizationName: string; role: string; token: string }): Promise<void>;
}

export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${INVITATION_ACCEPT_PATH}?token=${encodeURIComponent(token)}`;
}

export function createOrganizationEmails(deps: { mailer: Mailer; publicUrl: string; viewsDir: string; branding?: Branding }): OrganizationEmails {
  const branding = deps.branding ?? DEFAULT_BRANDING;
  const overridesDir = branding.templatesDir;
  // HTML escapes every interpolation (the organization's name is free text); text must not.
  const html = createTemplates({ viewsDir: deps.viewsDir, overridesDir, autoEscape: true });
  const text = createTemplates({ viewsDir: deps.viewsDir, overridesDir, autoEscape: false, autoTrim: false });
  return {
    async sendInvitation({ email, organizationName, role, token }) {
      const subject = `You are invited to ${organizationName} · ${branding.productName}`;
      const data = {
        productName: branding.productName, logoUrl: branding.logoUrl, accent: branding.palette.light.accent,
        accentText: branding.palette.light.accentText, publicUrl: deps.publicUrl.replace(/\/+$/, ''),
        email, organization: organizationName, role, subject,
        link: invitationLink(deps.publicUrl, token), expiresIn: describeDuration(ORGANIZATION_INVITATION_TTL_SECONDS),
      };
      const [textPart, htmlPart] = await Promise.all([
        text.renderAsync('./emails/organization-invitation.text.eta', data),
        html.renderAsync('./emails/organization-invitation.html.eta', data),
      ]);
      await deps.mailer.send({ to: email, subject, text: textPart, html: htmlPart });
    },
  };
}
