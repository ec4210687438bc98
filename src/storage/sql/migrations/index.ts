// Forward-only schema history. Never edit or reorder an entry once released:
// databases in the field have recorded its id as applied. Add a new one.
import { initial } from './001-initial.ts';
import { sessions } from './002-sessions.ts';
import { hashedTokenIds } from './003-hashed-token-ids.ts';
import { rolesAndAccountStatus } from './004-roles-and-account-status.ts';
import { auditEvents } from './005-audit-events.ts';
import { clientAdmin } from './006-client-admin.ts';
import { mfa } from './007-mfa.ts';
import { organizations } from './008-organizations.ts';
import { accountPicture } from './009-account-picture.ts';

export interface Migration {
  /** Unique and sortable; recorded in schema_migrations. */
  id: string;
  /** Run in order, in one transaction; one statement per entry (the drivers use the extended protocol). */
  statements: string[];
}

export const migrations: readonly Migration[] = [initial, sessions, hashedTokenIds, rolesAndAccountStatus, auditEvents, clientAdmin, mfa, organizations, accountPicture];
