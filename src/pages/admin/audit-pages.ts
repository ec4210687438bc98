// /admin/audit: the audit log with the admin API's filters and paging
// (audit:read, as GET /api/v1/admin/audit-events).
import type Router from '@koa/router';
import { z } from 'zod';
import type { AuditFilter, AuditResult } from '../../storage/ports.ts';
import type { AdminKit, AdminPagesDeps } from './admin-kit.ts';

const PAGE_SIZE = 50;
const FIELDS = ['type', 'actor', 'subject', 'client', 'result', 'since', 'until'] as const;
const cursorSchema = z.object({ at: z.iso.datetime(), id: z.string().max(128) });

/** An instant typed by a person: ISO 8601, or a datetime-local value (read as UTC). */
function instant(text: string): Date | undefined {
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
  if (!/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(t)) return undefined;
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function addAuditPages(router: Router, deps: AdminPagesDeps, kit: AdminKit): void {
  router.get('/admin/audit', ...kit.page('audit:read'), async function showAudit(ctx) {
    const values: Record<string, string> = {};
    for (const name of FIELDS) {
      const raw = ctx.query[name];
      if (typeof raw === 'string' && raw.trim() !== '') values[name] = raw.trim().slice(0, 200);
    }
    const errors: Record<string, string> = {};
    const filter: AuditFilter = {};
    if (values.type) filter.type = values.type;
    if (values.actor) filter.actorId = values.actor;
    if (values.subject) filter.subjectId = values.subject;
    if (values.client) filter.clientId = values.client;
    if (values.result) {
      if (values.result === 'success' || values.result === 'failure') filter.result = values.result as AuditResult;
      else errors.result = 'Choose success or failure.';
    }
    for (const bound of ['since', 'until'] as const) {
      if (!values[bound]) continue;
      const date = instant(values[bound]);
      if (date) filter[bound] = date;
      else errors[bound] = 'Enter a date and time like 2026-01-31T14:00 (UTC).';
    }
    let after: { at: Date; id: string } | undefined;
    if (typeof ctx.query.after === 'string') {
      try {
        const c = cursorSchema.parse(JSON.parse(Buffer.from(ctx.query.after, 'base64url').toString('utf8')));
        after = { at: new Date(c.at), id: c.id };
      } catch {
        after = undefined;
      }
    }
    const failed = Object.keys(errors).length > 0;
    const found = failed ? [] : await deps.audit.list(filter, { limit: PAGE_SIZE + 1, ...(after && { after }) });
    const events = found.slice(0, PAGE_SIZE);
    const last = events.at(-1);
    const next = found.length > PAGE_SIZE && last
      ? `?${new URLSearchParams({ ...values, after: Buffer.from(JSON.stringify({ at: last.at.toISOString(), id: last.id })).toString('base64url') })}`
      : undefined;
    await kit.show(ctx, 'admin-audit', { title: 'Audit log', section: '/admin/audit', values, errors, events, next }, failed ? 400 : 200);
  });
}
