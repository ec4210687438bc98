// Every request runs with its IP and user agent as the source of the audit
// events written while serving it (services/audit.ts), whichever layer
// writes them. ctx.ip honours TRUST_PROXY_HOPS (public-origin.ts). The same
// context gives every log line written while serving the request its id,
// IP, account, client and session (logger.ts, requestLogFields).
import type { Middleware } from 'koa';
import { runWithAuditRequest } from '../../services/audit.ts';
import { headerText } from '../../services/display-text.ts';
import { requestIdOf } from './request-id.ts';

export function auditRequest(): Middleware {
  return function auditRequestSource(ctx, next) {
    const userAgent = ctx.get('user-agent');
    return runWithAuditRequest({ ip: ctx.ip || null, userAgent: userAgent ? headerText(userAgent) : null, requestId: requestIdOf(ctx) }, next);
  };
}
