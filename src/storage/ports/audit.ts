// The append-only audit log (API.md, "Audit events").

export type AuditResult = 'success' | 'failure';
export type AuditActorType = 'user' | 'client' | 'system' | 'anonymous';

/** One security event. Append-only: nothing updates it, only the retention purge deletes it. */
export interface AuditEventRecord {
  id: string;
  at: Date;
  /** Dotted name (`sign_in`, `password.changed`, `admin.<operationId>`…; README lists them). */
  type: string;
  result: AuditResult;
  actorType: AuditActorType;
  actorId: string | null;
  /** The account the event is about; kept after the account is deleted. */
  subjectId: string | null;
  clientId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** The refusal code of a failure (INVALID_CREDENTIALS, FORBIDDEN…). */
  reason: string | null;
  /** JSON; never a secret (services/audit.ts). */
  details: Record<string, unknown>;
}

/** Every member narrows the list; since and until are inclusive. */
export interface AuditFilter {
  type?: string;
  actorId?: string;
  subjectId?: string;
  clientId?: string;
  result?: AuditResult;
  since?: Date;
  until?: Date;
}

/** The position of the last event of a page: the next page starts strictly after it, newest first. */
export interface AuditCursor {
  at: Date;
  id: string;
}

export interface AuditStore {
  /** Append one event (ids are unique; a duplicate id rejects). */
  insert(event: AuditEventRecord): Promise<void>;
  /** Up to `limit` matching events, newest first by (at, id), strictly after `after` in that order. */
  list(filter: AuditFilter, page: { limit: number; after?: AuditCursor }): Promise<AuditEventRecord[]>;
  /** The events about one account (subjectId), newest first, paged as list(). */
  listForSubject(subjectId: string, page: { limit: number; after?: AuditCursor }): Promise<AuditEventRecord[]>;
  /** Retention: delete events with at < `before`; returns how many. */
  deleteOlderThan(before: Date): Promise<number>;
}
