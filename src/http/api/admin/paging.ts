// Lists of the admin API (API.md): `?limit` 1–200 (default 50) and an opaque
// `?cursor`, answered as `{items, next_cursor}` with null at the end. A
// cursor is base64url JSON of the last item's position; it is opaque to
// clients, and one that does not decode is a 400 like any bad query value.
import { z } from 'zod';
import { ValidationError } from '../../../errors.ts';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** The paging members of a list route's query schema. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT)
    .meta({ description: `Items per page, 1–${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT}).` }),
  cursor: z.string().min(1).max(1024).optional().meta({ description: 'The next_cursor of the previous page.' }),
};

/** `{items, next_cursor}` of `item`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    next_cursor: z.string().nullable().meta({ description: 'Pass as ?cursor for the next page; null at the end.' }),
  });
}

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** The position a cursor encodes, checked against `schema`; ValidationError (400) for anything else. */
export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError([{ path: 'cursor', message: 'is not a cursor this list gave out' }]);
  return parsed.data;
}

/**
 * One page from a fetch of `limit + 1` items: the extra one only says that
 * more follow, so next_cursor is null exactly at the end.
 */
export function pageOf<T, R>(fetched: T[], limit: number, positionOf: (item: T) => unknown, present: (item: T) => R) {
  const items = fetched.slice(0, limit);
  const last = items.at(-1);
  const more = fetched.length > limit && last !== undefined;
  return { items: items.map(present), next_cursor: more ? encodeCursor(positionOf(last)) : null };
}

/** pageOf for items answered as fetched. */
export function toPage<T, P>(fetched: T[], limit: number, positionOf: (item: T) => P): { items: T[]; next_cursor: string | null } {
  return pageOf(fetched, limit, positionOf, (item) => item);
}
