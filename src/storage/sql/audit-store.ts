// Audit events: inserted once, read newest first in pages keyed by (at, id),
// deleted only by the retention purge.
import type { AuditActorType, AuditEventRecord, AuditFilter, AuditResult, AuditStore } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

interface Row {
  id: string;
  at: Date;
  type: string;
  result: AuditResult;
  actor_type: AuditActorType;
  actor_id: string | null;
  subject_id: string | null;
  client_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

function toEvent(row: Row): AuditEventRecord {
  return {
    id: row.id, at: row.at, type: row.type, result: row.result, actorType: row.actor_type, actorId: row.actor_id,
    subjectId: row.subject_id, clientId: row.client_id, sessionId: row.session_id, ip: row.ip,
    userAgent: row.user_agent, reason: row.reason, details: row.details,
  };
}

const COLUMNS: ReadonlyArray<[keyof AuditFilter, string, string]> = [
  ['type', 'type', '='],
  ['actorId', 'actor_id', '='],
  ['subjectId', 'subject_id', '='],
  ['clientId', 'client_id', '='],
  ['result', 'result', '='],
  ['since', 'at', '>='],
  ['until', 'at', '<='],
];

export function createSqlAuditStore(db: SqlDriver): AuditStore {
  const store: AuditStore = {
    async insert(event) {
      await db.query(
        `insert into audit_events
           (id, at, type, result, actor_type, actor_id, subject_id, client_id, session_id, ip, user_agent, reason, details)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)`,
        [
          event.id, event.at, event.type, event.result, event.actorType, event.actorId, event.subjectId,
          event.clientId, event.sessionId, event.ip, event.userAgent, event.reason, JSON.stringify(event.details),
        ],
      );
    },

    async list(filter, { limit, after }) {
      const where: string[] = [];
      const params: unknown[] = [];
      for (const [key, column, operator] of COLUMNS) {
        const value = filter[key];
        if (value === undefined) continue;
        params.push(value);
        where.push(`${column} ${operator} $${params.length}`);
      }
      if (after) {
        params.push(after.at, after.id);
        // Row comparison: strictly older, or as old with a smaller id.
        where.push(`(at, id) < ($${params.length - 1}, $${params.length})`);
      }
      params.push(limit);
      const { rows } = await db.query<Row>(
        `select * from audit_events ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
         order by at desc, id desc limit $${params.length}`,
        params,
      );
      return rows.map(toEvent);
    },

    listForSubject: (subjectId, page) => store.list({ subjectId }, page),

    async deleteOlderThan(before) {
      const { rowCount } = await db.query('delete from audit_events where at < $1', [before]);
      return rowCount;
    },
  };
  return store;
}
