// Audit events: inserted once, read newest first in pages keyed by (at, _id),
// deleted only by the retention purge. Same semantics as src/storage/sql/audit-store.ts.
import type { Model } from 'mongoose';
import type { AuditEventRecord, AuditFilter, AuditStore } from '../ports.ts';
import { asJson, op, str } from './guards.ts';
import type { AuditEventDoc } from './models.ts';

function toEvent(doc: AuditEventDoc): AuditEventRecord {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest, details: doc.details ?? {} };
}

function filterOf(filter: AuditFilter): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const key of ['type', 'actorId', 'subjectId', 'clientId', 'result'] as const) {
    const value = filter[key];
    if (value !== undefined) query[key] = str(value, key);
  }
  if (filter.since !== undefined || filter.until !== undefined) {
    query.at = op({
      ...(filter.since !== undefined && { $gte: filter.since }),
      ...(filter.until !== undefined && { $lte: filter.until }),
    });
  }
  return query;
}

export function createMongoAuditStore(events: Model<AuditEventDoc>): AuditStore {
  const store: AuditStore = {
    async insert(event) {
      const { id, ...rest } = event;
      await events.insertMany([{ _id: str(id, 'id'), ...rest, details: asJson(event.details) }]);
    },

    async list(filter, { limit, after }) {
      const query = filterOf(filter);
      if (after) {
        // Strictly older, or as old with a smaller id (sanitizeFilter checks each branch of $or).
        query.$or = [{ at: op({ $lt: after.at }) }, { at: after.at, _id: op({ $lt: str(after.id, 'cursor id') }) }];
      }
      const docs = await events.find(query).sort({ at: -1, _id: -1 }).limit(limit).lean<AuditEventDoc[]>();
      return docs.map(toEvent);
    },

    listForSubject: (subjectId, page) => store.list({ subjectId }, page),

    async deleteOlderThan(before) {
      const { deletedCount } = await events.deleteMany({ at: op({ $lt: before }) });
      return deletedCount;
    },
  };
  return store;
}
