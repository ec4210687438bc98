// The audit_event of API.md, shared by /me/events and /admin/audit-events.
import { z } from 'zod';
import type { AuditCursor, AuditEventRecord } from '../../storage/ports.ts';

export const auditEventSchema = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    type: z.string().meta({ description: 'Dotted event name (README, "Audit events").', example: 'sign_in' }),
    result: z.enum(['success', 'failure']),
    actor: z.object({ type: z.enum(['user', 'client', 'system', 'anonymous']), id: z.string().nullable() }),
    subject_id: z.string().nullable().meta({ description: 'The account the event is about.' }),
    client_id: z.string().nullable(),
    session_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    reason: z.string().nullable().meta({ description: 'The refusal code of a failure.' }),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });

export function toAuditEvent(event: AuditEventRecord): z.input<typeof auditEventSchema> {
  return {
    id: event.id,
    at: event.at.toISOString(),
    type: event.type,
    result: event.result,
    actor: { type: event.actorType, id: event.actorId },
    subject_id: event.subjectId,
    client_id: event.clientId,
    session_id: event.sessionId,
    ip: event.ip,
    user_agent: event.userAgent,
    reason: event.reason,
    details: event.details,
  };
}

/** The position a page of events ends at, as its cursor holds it. */
export const auditCursorSchema = z
  .object({ at: z.iso.datetime(), id: z.string().min(1).max(128) })
  .strict()
  .transform((c): AuditCursor => ({ at: new Date(c.at), id: c.id }));

export const auditPositionOf = (event: AuditEventRecord) => ({ at: event.at.toISOString(), id: event.id });
