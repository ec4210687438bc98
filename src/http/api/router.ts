// Mounts ApiRoute definitions on @koa/router: JSON body, bearer check,
// schema validation in, schema filtering out. Handlers stay one call long.
import { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { InternalError, ValidationError, unstorableTextError, type ErrorDetail } from '../../errors.ts';
import { findUnstorableText } from '../../services/storable-text.ts';
import { clientActor, currentAuditActor, setAuditActor, userActor, type Audit, type AuditActor } from '../../services/audit.ts';
import { jsonBody } from '../middleware/json-body.ts';
import type { AdminAuth, AuthenticateAdmin } from '../middleware/require-admin.ts';
import type { Auth, Authenticate } from '../middleware/require-bearer.ts';
import type { ApiRoute, AuthLevel } from './route.ts';

/** One authenticator per auth level above 'none'. */
export interface Authenticators {
  user: Authenticate;
  admin: AuthenticateAdmin;
}

function authenticatorOf(level: Exclude<AuthLevel, 'none'>, authenticators: Authenticators): (ctx: Context) => Promise<unknown> {
  return level === 'user' ? authenticators.user : authenticators.admin(level.slice('admin:'.length));
}

function detailsOf(error: z.ZodError): ErrorDetail[] {
  return error.issues.slice(0, 20).flatMap((issue) =>
    // An unknown member (strict objects) is named by its own path, so the caller sees which field was refused.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key].map(String).join('.'), message: 'cannot be set here' }))
      : [{ path: issue.path.map(String).join('.'), message: issue.message }]);
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  // Bodies were checked by jsonBody; params and query come from the URL.
  const unstorable = findUnstorableText(value);
  if (unstorable) throw unstorableTextError(unstorable);
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(detailsOf(result.error), `The request ${where} did not match the schema.`);
  return result.data;
}

function respond(ctx: Context, route: ApiRoute, status: number, body: unknown): void {
  const spec = route.responses[status];
  if (!spec) throw new InternalError(new Error(`${route.operationId} answered an undeclared status ${status}`));
  ctx.status = status;
  // Declared shape only: unknown keys are stripped, a mismatch is our bug (500).
  if (spec.schema) ctx.body = spec.schema.parse(body);
}

/** Who an authenticated request is, for its audit events: an account, or a client acting for itself on an admin route. */
export function actorOf(auth: Auth | AdminAuth): AuditActor {
  if ('caller' in auth) return auth.caller.type === 'client' ? clientActor(auth.caller.id) : userActor(auth.caller.id);
  return userActor(auth.account.id);
}

const isAdminLevel = (level: ApiRoute['auth']) => level.startsWith('admin:');

/** Member names of a JSON body (what an admin call changed), never their values. */
function fieldNamesOf(body: unknown): string[] | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  return Object.keys(body).slice(0, 50);
}

/**
 * Every admin route's outcome, in one place: `admin.<operationId>`, success
 * or failure with the error code (401 before authentication, 403, any
 * AppError, INTERNAL for the rest), the caller as actor and `:id` as subject.
 */
function auditAdminRoute(route: ApiRoute, audit: Pick<Audit, 'record'>): Middleware {
  return async function auditAdminCall(ctx, next) {
    let reason: string | undefined;
    try {
      await next();
    } catch (err) {
      const code = (err as { code?: unknown; expose?: unknown }).code;
      reason = typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'INTERNAL';
      throw err;
    } finally {
      const params = ctx.params as Record<string, string | undefined> | undefined;
      const fields = fieldNamesOf(ctx.request.body);
      await audit.record({
        type: `admin.${route.operationId}`,
        result: reason === undefined ? 'success' : 'failure',
        reason: reason ?? null,
        actor: currentAuditActor(),
        subjectId: params?.id ?? null,
        details: { method: route.method.toUpperCase(), route: route.path, ...(fields && { fields }) },
      });
    }
  };
}

export function createApiRouter(routes: readonly ApiRoute[], authenticators: Authenticators, audit: Pick<Audit, 'record'>): Router {
  const router = new Router();
  for (const route of routes) {
    const middleware: Middleware[] = [];
    if (isAdminLevel(route.auth)) middleware.push(auditAdminRoute(route, audit));
    // The caller first: without a valid token, nothing about the body matters.
    if (route.auth !== 'none') {
      const authenticate = authenticatorOf(route.auth, authenticators);
      middleware.push(async function requireAuthLevel(ctx, next) {
        const auth = (await authenticate(ctx as Context)) as Auth | AdminAuth;
        ctx.state.auth = auth;
        setAuditActor(actorOf(auth), auth.session?.id);
        return next();
      });
    }
    if (route.body) middleware.push(jsonBody());
    router[route.method](route.path, ...middleware, async function handleApiRoute(ctx: Context) {
      const auth = ctx.state.auth as Auth | AdminAuth | undefined;
      const input = {
        params: parse(route.params, ctx.params, 'path'),
        query: parse(route.query, ctx.query, 'query'),
        body: parse(route.body, ctx.request.body, 'body'),
        ctx,
      };
      const result = route.auth === 'none' ? await route.handle(input) : await route.handle({ ...input, auth: auth as Auth });
      respond(ctx, route, result.status, result.body);
    });
  }
  return router;
}
