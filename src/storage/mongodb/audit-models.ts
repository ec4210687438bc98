// The audit log's schema (AuditStore): append-only events, an index per filter.
import { Schema } from 'mongoose';
import type { AuditActorType, AuditResult } from '../ports.ts';
import { OPTIONS } from './schema-options.ts';

export interface AuditEventDoc {
  _id: string;
  at: Date;
  type: string;
  result: AuditResult;
  actorType: AuditActorType;
  actorId: string | null;
  subjectId: string | null;
  clientId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

const nullableString = { type: String, default: null };

export const auditEventSchema = new Schema<AuditEventDoc>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    type: { type: String, required: true },
    result: { type: String, enum: ['success', 'failure'], required: true },
    actorType: { type: String, enum: ['user', 'client', 'system', 'anonymous'], required: true },
    actorId: nullableString,
    subjectId: nullableString,
    clientId: nullableString,
    sessionId: nullableString,
    ip: nullableString,
    userAgent: nullableString,
    reason: nullableString,
    details: { type: Schema.Types.Mixed, required: true },
  },
  { ...OPTIONS, collection: 'audit_events' },
);
// Pages run newest first on (at, _id); each filter's index ends in that order.
// No TTL index: retention is AUDIT_RETENTION_DAYS, purged by the periodic job.
auditEventSchema.index({ at: -1, _id: -1 });
auditEventSchema.index({ type: 1, at: -1, _id: -1 });
auditEventSchema.index({ subjectId: 1, at: -1, _id: -1 });
auditEventSchema.index({ actorId: 1, at: -1, _id: -1 });
auditEventSchema.index({ clientId: 1, at: -1, _id: -1 });
auditEventSchema.index({ result: 1, at: -1, _id: -1 });
