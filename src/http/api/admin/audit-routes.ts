// GET /api/v1/admin/audit-events: every event, filtered, newest first.
import { z } from 'zod';
import type { Audit } from '../../../services/audit.ts';
import type { AuditResult } from '../../../storage/ports.ts';
import { auditCursorSchema, auditEventSchema, auditPositionOf, toAuditEvent } from '../audit-schemas.ts';
import { adminRoute, type ApiRoute } from '../route.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './paging.ts';

const id = z.string().min(1).max(256);
const instant = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 date and time (inclusive).' });

const query = z.object({
  ...pageQuery,
  type: z.string().min(1).max(128).optional(),
  actor_id: id.optional(),
  subject_id: id.optional(),
  client_id: id.optional(),
  result: z.enum(['success', 'failure']).optional(),
  since: instant.optional(),
  until: instant.optional(),
});

type Query = z.output<typeof query>;

export function adminAuditRoutes(deps: { audit: Pick<Audit, 'list'> }): ApiRoute[] {
  return [
    adminRoute<undefined, Query>('audit:read', {
      method: 'get', path: '/api/v1/admin/audit-events', tag: 'admin', operationId: 'listAuditEvents',
      summary: 'Audit events, newest first',
      description: 'Filters combine (all must match); since and until are inclusive.',
      query,
      responses: { 200: { description: 'A page of events', schema: pageSchema(auditEventSchema) } },
      async handle({ query: q }) {
        const after = decodeCursor(q.cursor, auditCursorSchema);
        const fetched = await deps.audit.list(
          {
            ...(q.type !== undefined && { type: q.type }),
            ...(q.actor_id !== undefined && { actorId: q.actor_id }),
            ...(q.subject_id !== undefined && { subjectId: q.subject_id }),
            ...(q.client_id !== undefined && { clientId: q.client_id }),
            ...(q.result !== undefined && { result: q.result as AuditResult }),
            ...(q.since !== undefined && { since: new Date(q.since) }),
            ...(q.until !== undefined && { until: new Date(q.until) }),
          },
          { limit: q.limit + 1, ...(after && { after }) },
        );
        return { status: 200, body: pageOf(fetched, q.limit, auditPositionOf, toAuditEvent) };
      },
    }),
  ];
}
