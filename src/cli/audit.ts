// `gatehouse audit tail [--follow]`: /api/v1/admin/audit-events, oldest of the
// page first like `tail`; --follow polls for newer events (by `since`,
// skipping the ids already shown) until interrupted.
import { setTimeout as sleep } from 'node:timers/promises';
import { type CommandContext, type CommandGroup, int, str } from './command.ts';
import type { Page } from './paging.ts';

interface AuditEvent {
  id: string;
  at: string;
  type: string;
  result: string;
  actor: { type: string; id: string | null };
  subject_id: string | null;
  client_id: string | null;
  ip: string | null;
  reason: string | null;
}

const FILTERS = ['type', 'actor-id', 'subject-id', 'client-id', 'result'] as const;
const HEADER = ['AT', 'TYPE', 'RESULT', 'ACTOR', 'SUBJECT', 'CLIENT', 'IP', 'REASON'];
const row = (e: AuditEvent) => [e.at, e.type, e.result, `${e.actor?.type ?? '-'}:${e.actor?.id ?? '-'}`, e.subject_id, e.client_id, e.ip, e.reason];

function print(ctx: CommandContext, events: AuditEvent[], header: boolean): void {
  if (ctx.out.json) {
    // One event per line (JSON Lines), so a follower can be piped.
    for (const event of events) ctx.out.jsonLine(event);
    return;
  }
  const rows: unknown[][] = header ? [HEADER] : [];
  rows.push(...events.map(row));
  if (events.length > 0) ctx.out.result(events, () => rows);
}

export const auditCommands: CommandGroup = {
  name: 'audit',
  summary: 'Audit events: tail [--follow]',
  commands: [
    {
      name: 'tail',
      usage: '[--follow] [--limit <n>] [--interval <seconds>] [--type <t>] [--actor-id <id>] [--subject-id <id>] [--client-id <id>] [--result success|failure]',
      summary: 'The latest events, oldest first; --follow keeps printing new ones',
      options: {
        follow: { type: 'boolean', short: 'f' },
        limit: { type: 'string' },
        interval: { type: 'string' },
        type: { type: 'string' },
        'actor-id': { type: 'string' },
        'subject-id': { type: 'string' },
        'client-id': { type: 'string' },
        result: { type: 'string' },
      },
      async run(ctx) {
        const api = await ctx.api();
        const filters = Object.fromEntries(FILTERS.map((f) => [f.replace('-', '_'), str(ctx, f)]));
        const limit = String(int(ctx, 'limit') ?? 20);
        const intervalMs = (int(ctx, 'interval') ?? 2) * 1000;
        const first = (await api.request('get', '/api/v1/admin/audit-events', { query: { ...filters, limit } })) as Page<AuditEvent>;
        const shown = new Set(first.items.map((e) => e.id));
        let since = first.items[0]?.at;
        print(ctx, [...first.items].reverse(), true);
        while (ctx.values.follow) {
          await sleep(intervalMs);
          const page = (await api.request('get', '/api/v1/admin/audit-events', { query: { ...filters, since, limit: '200' } })) as Page<AuditEvent>;
          const fresh = page.items.filter((e) => !shown.has(e.id)).reverse();
          for (const event of fresh) shown.add(event.id);
          since = page.items[0]?.at ?? since;
          print(ctx, fresh, false);
        }
      },
    },
  ],
};
