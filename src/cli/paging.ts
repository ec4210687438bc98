// Admin lists answer `{items, next_cursor}` (API.md). The CLI shows one page
// (`--limit`, `--cursor`) and names the next cursor on stderr, or walks every
// page with `--all`.
import type { ParseArgsOptionsConfig } from 'node:util';
import { type CommandContext, int, str } from './command.ts';

export const PAGING_OPTIONS: ParseArgsOptionsConfig = {
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
};

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export async function fetchPages<T>(ctx: CommandContext, path: string, query: Record<string, string | undefined> = {}): Promise<Page<T>> {
  const api = await ctx.api();
  const limit = int(ctx, 'limit');
  let cursor = str(ctx, 'cursor');
  const items: T[] = [];
  for (;;) {
    const page = (await api.request('get', path, { query: { ...query, limit: limit?.toString(), cursor } })) as Page<T>;
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
    if (!ctx.values.all || !cursor) return { items, next_cursor: page.next_cursor ?? null };
  }
}

/** After a table: where the next page starts. */
export function noteNextPage(ctx: CommandContext, page: Page<unknown>): void {
  if (page.next_cursor && !ctx.out.json) ctx.out.note(`more: --cursor ${page.next_cursor} (or --all)`);
}
