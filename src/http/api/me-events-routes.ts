// GET /api/v1/me/events: the signed-in account's own security events.
import { z } from 'zod';
import type { Audit } from '../../services/audit.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './admin/paging.ts';
import { auditCursorSchema, auditEventSchema, auditPositionOf, toAuditEvent } from './audit-schemas.ts';
import { authedRoute, type ApiRoute } from './route.ts';

const query = z.object(pageQuery);

export function meEventsRoutes(deps: { audit: Pick<Audit, 'listForSubject'> }): ApiRoute[] {
  return [
    authedRoute<undefined, z.output<typeof query>>({
      method: 'get', path: '/api/v1/me/events', tag: 'me', operationId: 'listMyEvents',
      summary: 'Security events of the account (sign-ins, password changes…), newest first',
      query,
      responses: { 200: { description: 'A page of events', schema: pageSchema(auditEventSchema) } },
      async handle({ query: q, auth }) {
        const after = decodeCursor(q.cursor, auditCursorSchema);
        const fetched = await deps.audit.listForSubject(auth.account.id, { limit: q.limit + 1, ...(after && { after }) });
        return { status: 200, body: pageOf(fetched, q.limit, auditPositionOf, toAuditEvent) };
      },
    }),
  ];
}
