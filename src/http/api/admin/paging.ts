// Paging of the admin lists (API.md): `?limit` 1–200 (default 50) and an
// opaque `?cursor`; answers `{items, next_cursor}` with null at the end.
// A cursor is base64url JSON of the route's own position (the last item's
// sort key): opaque to callers, and a tampered one is a 400, never a 500.
import { z } from 'zod';
import { ValidationError } from '../../../errors.ts';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** The query fields every list takes; spread into a route's query schema. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT)
    .describe(`Items per page, 1–${MAX_PAGE_LIMIT}`),
  cursor: z.string().max(512).optional().describe('next_cursor of the previous page'),
};

/** `{items: [item], next_cursor}`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position in a cursor, checked against the route's schema; VALIDATION_FAILED when it is not one of ours. */
export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: answered below like any other foreign cursor.
  }
  throw new ValidationError([{ path: 'cursor', message: 'is not a cursor from this list' }], 'The cursor is not valid.');
}

/**
 * A page from `limit + 1` items fetched: the extra one only says whether
 * there is more, and the cursor points after the last item kept.
 */
export function toPage<T, P>(fetched: T[], limit: number, positionOf: (item: T) => P): { items: T[]; next_cursor: string | null } {
  const items = fetched.slice(0, limit);
  const more = fetched.length > limit && items.length > 0;
  return { items, next_cursor: more ? encodeCursor(positionOf(items[items.length - 1]!)) : null };
}
