// Paging of the admin lists (API.md: `?limit` 1-200, default 50, `?cursor`;
// answers `{items, next_cursor}`, null at the end). The cursor is opaque to
// callers: base64url JSON of the key the next page starts after.
import { z } from 'zod';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(cursor)) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const after = (decoded as { after?: unknown } | null)?.after;
    return typeof after === 'string' && after.length > 0 ? after : undefined;
  } catch {
    return undefined;
  }
}

/** `?limit&cursor`; `cursor` comes out decoded (the key to start after), a malformed one is a 400 VALIDATION_FAILED. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  cursor: z
    .string()
    .transform((cursor, ctx) => {
      const after = decodeCursor(cursor);
      if (after === undefined) ctx.addIssue({ code: 'custom', message: 'malformed cursor: pass next_cursor of the previous page as it is' });
      return after ?? z.NEVER;
    })
    .optional(),
});

export type PageQuery = z.output<typeof pageQuerySchema>;

/** `{items, next_cursor}` of an item schema. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

/**
 * One page from `limit + 1` rows read after the cursor: the extra row, if
 * any, only says that another page exists.
 */
export function toPage<T, R>(rows: T[], limit: number, keyOf: (row: T) => string, present: (row: T) => R): { items: R[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(present), next_cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
