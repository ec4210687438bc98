// X-Request-Id (API.md): the caller's id when it is a sane one, else a new
// UUID; echoed on every response, oidc-provider's included, and put in the
// request's log line and in error bodies. A caller's id is bounded and plain
// (letters, digits, . _ : -) so it can neither flood nor forge log lines.
import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(ctx: Pick<Context, 'state'>): string | undefined {
  const id = ctx.state.requestId;
  return typeof id === 'string' ? id : undefined;
}

export function requestId(): Middleware {
  return async function requestIdStep(ctx, next) {
    const offered = ctx.get('x-request-id');
    const id = SANE_ID.test(offered) ? offered : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
