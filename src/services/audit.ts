// Security events (API.md "Audit events"): one insert per event, appended
// from the services, the sign-in flow, the OIDC hooks and the API router.
//
// Writing an event never fails the request it describes: record() resolves
// in every case, after exactly one insert; a failed insert is logged (the
// event's type and the error, nothing from the event) and counted. Callers
// await it so the event is stored when the answer goes out, which costs that
// one insert and nothing more.
//
// Where the request came from (IP, user agent) is taken from the request
// being served (runWithAuditRequest, set by the HTTP layer for every
// request), so the services name only what they know: the type, the
// account, the outcome.
//
// Nothing secret is stored: callers put names and codes in `details`, never
// values typed by the user, and scrubDetails drops any member whose name
// says it holds a secret, in case one slips through.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { AuditActorType, AuditCursor, AuditEventRecord, AuditFilter, AuditResult, AuditStore } from '../storage/ports.ts';
import type { IdentifierHasher } from './audit-identifier.ts';
import { cleanDisplayText, stripInvisible } from './display-text.ts';
import { countAuditEvent, NO_METRICS, type Metrics } from './metrics.ts';

export interface AuditActor {
  type: AuditActorType;
  id: string | null;
}

export const ANONYMOUS: AuditActor = { type: 'anonymous', id: null };
export const SYSTEM: AuditActor = { type: 'system', id: null };
export const userActor = (id: string): AuditActor => ({ type: 'user', id });
export const clientActor = (id: string): AuditActor => ({ type: 'client', id });

export interface AuditEvent {
  type: string;
  /** Default: success. */
  result?: AuditResult;
  /** Default: the request's caller (setAuditActor), else anonymous. */
  actor?: AuditActor;
  subjectId?: string | null;
  clientId?: string | null;
  /** Default: the caller's session. */
  sessionId?: string | null;
  /** A failure's refusal code (INVALID_CREDENTIALS, FORBIDDEN…). */
  reason?: string | null;
  details?: Record<string, unknown>;
  /** Default: the request's own (runWithAuditRequest). */
  ip?: string | null;
  userAgent?: string | null;
}

/** What the HTTP layer knows of the request being served. */
export interface AuditRequest {
  ip: string | null;
  userAgent: string | null;
  /** Who is calling, once a bearer check has said so (setAuditActor). */
  actor?: AuditActor;
  /** The caller's session (the bearer token's `sid`). */
  sessionId?: string;
  /** X-Request-Id (http/middleware/request-id.ts), for the log lines written while serving it. */
  requestId?: string;
  /** The account and client the request's events were about (a sign-in names them before any bearer does). */
  subjectId?: string;
  clientId?: string;
}

const requests = new AsyncLocalStorage<AuditRequest>();

/** Run `fn` (the rest of a request's middleware) with `request` as the source of its events. */
export function runWithAuditRequest<T>(request: AuditRequest, fn: () => T): T {
  return requests.run({ ...request }, fn);
}

/** The authenticated caller of the current request: the default actor and session of its events. */
export function setAuditActor(actor: AuditActor, sessionId?: string): void {
  const request = requests.getStore();
  if (!request) return;
  request.actor = actor;
  if (sessionId !== undefined) request.sessionId = sessionId;
}

/** The current request's caller, anonymous before (or without) authentication. */
export function currentAuditActor(): AuditActor {
  return requests.getStore()?.actor ?? ANONYMOUS;
}

function noteAuditSubject(event: AuditEvent): void {
  const request = requests.getStore();
  if (!request) return;
  if (typeof event.subjectId === 'string') request.subjectId ??= event.subjectId;
  if (typeof event.clientId === 'string') request.clientId ??= event.clientId;
}

/**
 * Who and what the current request is about, for every log line written
 * while serving it (logger.ts): ids only, never a secret. Empty outside a request.
 */
export function requestLogFields(): Record<string, string> {
  const request = requests.getStore();
  if (!request) return {};
  const { actor } = request;
  const accountId = actor?.type === 'user' ? actor.id : request.subjectId;
  const clientId = actor?.type === 'client' ? actor.id : request.clientId;
  const fields: Record<string, string | null | undefined> = {
    requestId: request.requestId, ip: request.ip, accountId, clientId, sessionId: request.sessionId,
  };
  // Bounded: an id a route took from its path is the caller's text.
  return Object.fromEntries(Object.entries(fields)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]) => [name, value.slice(0, 128)]));
}

/** Name the client of the current request once a layer knows it (oidc-provider's client authentication). */
export function noteRequestClient(clientId: string): void {
  const request = requests.getStore();
  if (request) request.clientId ??= clientId;
}

export interface AuditLogger {
  warn(obj: object, msg: string): void;
}

export interface AuditPage {
  limit: number;
  after?: AuditCursor;
}

export interface Audit {
  /** Append one event; resolves in every case (see above). */
  record(event: AuditEvent): Promise<void>;
  /** The keyed hash standing for an address that is no account's (audit-identifier.ts). */
  hashIdentifier: IdentifierHasher;
  /** Inserts that failed since start (each also logged). */
  failedWrites(): number;
  list(filter: AuditFilter, page: AuditPage): Promise<AuditEventRecord[]>;
  listForSubject(subjectId: string, page: AuditPage): Promise<AuditEventRecord[]>;
}

/** Names of members that hold secrets: dropped from details wherever they appear. */
const SECRET_NAME = /password|secret|token|code|otp|authorization|cookie|credential|assertion/i;
const MAX_DEPTH = 4;

/** Text a database stores as it is: no controls (NUL breaks PostgreSQL text), no lone surrogates, bounded. */
const storable = (text: string) => stripInvisible(text).toWellFormed().slice(0, 512);

export function scrubDetails(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return depth >= MAX_DEPTH ? [] : value.slice(0, 50).map((v) => scrubDetails(v, depth + 1));
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? storable(value) : value;
  if (depth >= MAX_DEPTH) return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter(([name]) => !SECRET_NAME.test(name))
      .slice(0, 50)
      .map(([name, member]) => [storable(name), scrubDetails(member, depth + 1)]),
  );
}

const clip = (value: string | null | undefined, max: number) => cleanDisplayText(value)?.slice(0, max) ?? null;
/** An id as given (a path parameter may carry anything), made storable. */
const idText = (value: string | null | undefined) => (value === null || value === undefined ? null : storable(value));

export function createAudit(deps: { store: AuditStore; hashIdentifier: IdentifierHasher; logger: AuditLogger; metrics?: Metrics }): Audit {
  let failures = 0;
  const metrics = deps.metrics ?? NO_METRICS;

  function toRecord(event: AuditEvent): AuditEventRecord {
    const request = requests.getStore();
    const actor = event.actor ?? request?.actor ?? ANONYMOUS;
    return {
      id: randomUUID(),
      at: new Date(),
      type: storable(event.type),
      result: event.result ?? 'success',
      actorType: actor.type,
      actorId: idText(actor.id),
      subjectId: idText(event.subjectId),
      clientId: idText(event.clientId),
      sessionId: idText(event.sessionId !== undefined ? event.sessionId : request?.sessionId),
      ip: clip(event.ip ?? request?.ip, 64),
      // API.md: the raw header, cut at 512 characters.
      userAgent: clip(event.userAgent ?? request?.userAgent, 512),
      reason: idText(event.reason),
      details: scrubDetails(event.details ?? {}) as Record<string, unknown>,
    };
  }

  return {
    async record(event) {
      // Counted whether or not the write succeeds: the event happened.
      countAuditEvent(metrics, event);
      noteAuditSubject(event);
      try {
        await deps.store.insert(toRecord(event));
      } catch (err) {
        failures += 1;
        metrics.auditWriteFailed();
        // The error's name and code only: a driver message may quote the values written.
        const { name, code } = (err ?? {}) as { name?: unknown; code?: unknown };
        deps.logger.warn({ eventType: event.type, errorName: name, errorCode: code, failedWrites: failures }, 'writing an audit event failed');
      }
    },
    hashIdentifier: deps.hashIdentifier,
    failedWrites: () => failures,
    list: (filter, page) => deps.store.list(filter, page),
    listForSubject: (subjectId, page) => deps.store.listForSubject(subjectId, page),
  };
}
