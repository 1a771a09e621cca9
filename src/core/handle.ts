/**
 * The request pipeline (DESIGN.md): canonical path → seal gate → token → route →
 * create/update → ACL → audit → handler → token for logins → lease → wrapping → audit → answer.
 *
 * With an audit device enabled, every request past the seal gate gets a request entry and
 * a response entry, refused ones too (bad token, 403, 400, 404, 405): `auditedRequest`
 * records whatever `routeRequest` did not get to. With none enabled, nothing of audit
 * runs on the way.
 */
import { randomBytes } from 'node:crypto';
import { notFound, permissionDenied, sealedError, unsupportedOperation, vaultCompat500 } from '../errors.js';
import type { CallerInfo, HandlerContext } from '../framework/backend.js';
import { addressAllowed } from '../framework/cidr.js';
import { dropNulls, findPath, parseFields, runHandler, settleWriteOperation, supportsOperation } from '../framework/dispatch.js';
import type { Request, Response } from '../logical/request.js';
import { AuditFailure } from './audit/audit-broker.js';
import type { AuditEvent } from './audit/audit-event.js';
import { canonicalizePath } from './canonical-path.js';
import type { Core } from './core.js';
import { createLoginToken } from './login-token.js';
import { lostActive, standbyError, whileActive } from './ha/standby.js';
import type { Route } from './router.js';
import { isFinalUse, type TokenEntry } from './token/token-entry.js';
import { wantsWrapping, wrapIfRequested } from './wrapping/wrap-response.js';
import { checkWrappingRequest, namesWrappingToken } from './wrapping/wrapping-request.js';
import { checkWrapTtl } from './wrapping/wrapping-token.js';

/** The only paths that answer while sealed. */
const SEALED_PATHS = new Set(['sys/seal-status', 'sys/unseal', 'sys/init', 'sys/health', 'sys/leader']);

/** `policies`: what the request is checked against (the token's and its entity's). */
function callerOf(entry: TokenEntry, policies: string[]): CallerInfo {
  return {
    accessor: entry.accessor,
    policies,
    displayName: entry.displayName,
    entityId: entry.entityId,
    cubbyholeId: entry.cubbyholeId,
    isRoot: entry.policies.includes('root'),
    issuedAt: entry.creationTime,
  };
}

export async function handleRequest(core: Core, req: Request): Promise<Response> {
  let path = canonicalizePath(req.path);
  // Lists and scans are about a folder: `kv/metadata?list=true` (the Go client's cleaned
  // path) and `kv/metadata/` are the same request for ACL, router and audit alike.
  if ((req.operation === 'list' || req.operation === 'scan') && !path.endsWith('/')) path += '/';
  req.path = path;

  if (core.sealed) {
    if (!SEALED_PATHS.has(path)) throw sealedError();
    return handleSealed(core, req, path.slice('sys/'.length));
  }
  const ha = core.ha;
  if (ha !== undefined) {
    // A standby answers the status paths itself, as a sealed node does; the rest goes to the active node.
    const mode = ha.check();
    if (mode !== 'active') {
      if (SEALED_PATHS.has(path)) return handleSealed(core, req, path.slice('sys/'.length));
      // Forwarded, it would seal the active node; Vault refuses it on a standby, with this 500.
      if (path === 'sys/seal') throw vaultCompat500('vault cannot seal when in standby mode; please restart instead');
      throw mode === 'lost' ? lostActive() : standbyError();
    }
    return whileActive(ha, () => handleUnsealed(core, req, path));
  }
  return handleUnsealed(core, req, path);
}

function handleUnsealed(core: Core, req: Request, path: string): Promise<Response> {
  // The paths that answer sealed too (health checks, seal status) are not audited, as in Vault.
  if (!core.audit.enabled || SEALED_PATHS.has(path)) return routeRequest(core, req, path, undefined);
  return auditedRequest(core, req, path);
}

/**
 * The request entry goes out in routeRequest, before the handler; a request refused
 * earlier gets it here, with its error. The response entry (answer or error) goes out
 * before anything is returned. When no device records an entry, AuditFailure (500)
 * replaces the answer.
 */
async function auditedRequest(core: Core, req: Request, path: string): Promise<Response> {
  const event: AuditEvent = { request: req, token: null };
  let response: Response;
  try {
    response = await routeRequest(core, req, path, event);
  } catch (error) {
    if (error instanceof AuditFailure) throw error;
    event.error = error;
    if (!event.requestLogged) await core.audit.logRequest(event);
    await core.audit.logResponse(event);
    throw error;
  }
  event.response = response;
  await core.audit.logResponse(event);
  return response;
}

/** Everything between the seal gate and the answer. `audit` is filled as the request is understood. */
async function routeRequest(core: Core, req: Request, path: string, audit: AuditEvent | undefined): Promise<Response> {
  const match = core.router.match(path);
  if (audit && match) audit.route = match.route;
  const unauthenticated = match ? match.route.backend.isUnauthenticated(match.relPath, req) : false;

  let token: TokenEntry | null = null;
  if (req.clientToken) {
    const found = core.tokens.lookup(req.clientToken);
    token = found instanceof Promise ? await found : found;
  }
  if (audit) audit.token = token;
  if (namesWrappingToken(path)) await checkWrappingRequest(core, req, token);
  if (!token && !unauthenticated) throw permissionDenied(match?.route.backend.unauthenticatedRefusal(match.relPath));
  if (token && !unauthenticated) checkBoundCidrs(token, req.remoteAddress);
  // The token's own policies and its entity's, as the entity and its groups are right now.
  const policies = token && !unauthenticated ? core.policiesFor(token.policies, token.entityId) : undefined;

  const pathRoute = match ? findPath(match.route.backend, match.relPath) : null;
  let fields: Record<string, unknown> = {};
  let ignored: string[] = [];
  let parseError: unknown;
  const raw = dropNulls(req.data);
  if (pathRoute) {
    try {
      ({ fields, ignored } = parseFields(pathRoute, raw));
    } catch (err) {
      parseError = err;
    }
  }

  // Spelled out rather than spread from route.base: a spread of the cached part costs more
  // than the rest of this function on the hot path (measured with --cpu-prof).
  const base = match?.route.base;
  const ctx: HandlerContext | undefined =
    match && base
      ? {
          req,
          fields,
          raw,
          storage: base.storage,
          logger: base.logger,
          mount: base.mount,
          system: base.system,
          caller: token ? callerOf(token, policies ?? token.policies) : undefined,
          allowed: token ? allowedFor(core, policies ?? token.policies, token.entityId, match.route.routedPath) : denyAll,
          clock: base.clock,
          random: base.random,
          lockout: base.lockout,
          passwords: base.passwords,
          events: base.events,
          identity: base.identity,
        }
      : undefined;

  let operation = req.operation;
  if (operation === 'update' && pathRoute && ctx && !parseError) {
    const settled = settleWriteOperation(pathRoute, ctx);
    operation = typeof settled === 'string' ? settled : await settled;
  }
  req.operation = operation;

  if (!unauthenticated && token) {
    const acl = core.policies.aclFor(policies!, token.entityId);
    const verdict = acl.check({ path, operation, data: raw, wrapTtl: req.wrapTtl });
    if (!verdict.allowed) throw permissionDenied();
    if (match && match.route.backend.needsSudo(match.relPath) && !verdict.rootPrivs) throw permissionDenied();
  }

  if (!match || !ctx) throw notFound(`no handler for route "${path}". route entry not found.`);
  if (!pathRoute) throw notFound(`unsupported path`);
  if (!supportsOperation(pathRoute, operation)) throw unsupportedOperation();
  if (parseError) throw parseError;
  if (req.wrapTtl !== undefined) checkWrapTtl(req.wrapTtl, core.system.maxLeaseTtl);

  if (audit) {
    await core.audit.logRequest(audit);
    audit.requestLogged = true;
  }

  let exhausted = false;
  // Unauthenticated paths (logins, sys/wrapping/lookup) do not spend the uses of a token sent along.
  if (token && !unauthenticated && token.numUses > 0) {
    const used = await core.tokens.useToken(token);
    if (!used) throw permissionDenied();
    exhausted = isFinalUse(used);
  }

  let response: Response | null;
  try {
    response = await runHandler(match.route.backend, pathRoute, operation, ctx, ignored);
    if (response?.auth) response = await createLoginToken(core, match.route, req, response);
    // A response that already names its lease (sys/leases/renew) is about an existing one.
    if (response?.secret && !response.leaseId) response = await registerLease(core, match.route, req, token, response);
    if (response && wantsWrapping(req, response)) response = await wrapIfRequested(core, req, response, match.route.entry.type);
  } finally {
    if (exhausted && token) await core.tokens.revokeTree(token).catch(() => undefined);
  }

  if (!response) {
    if (operation === 'read' || operation === 'list' || operation === 'scan') throw notFound();
    response = { status: 204 };
  } else {
    response.mountType = match.route.entry.type;
  }
  return response;
}

/** While sealed only the system backend's seal paths run, without storage or token. */
async function handleSealed(core: Core, req: Request, relPath: string): Promise<Response> {
  const backend = core.sealedSystemBackend;
  const route = findPath(backend, relPath);
  if (!route) throw notFound();
  if (!supportsOperation(route, req.operation)) throw unsupportedOperation();
  const raw = dropNulls(req.data);
  const { fields, ignored } = parseFields(route, raw);
  const ctx: HandlerContext = {
    req,
    fields,
    raw,
    storage: core.barrier,
    logger: core.logger,
    mount: sealedMountInfo,
    system: core.system,
    clock: core.clock,
    random: randomBytes,
  };
  const response = await runHandler(backend, route, req.operation, ctx, ignored);
  return response ?? { status: 204 };
}

const sealedMountInfo = {
  path: 'sys/',
  type: 'system',
  uuid: '',
  accessor: '',
  description: '',
  config: { default_lease_ttl: 0, max_lease_ttl: 0 },
  options: {},
  local: false,
  sealWrap: false,
};

const denyAll = () => false;

/** A secret with a TTL gets a lease, tied to the token that asked for it. */
async function registerLease(core: Core, route: Route, req: Request, token: TokenEntry | null, response: Response): Promise<Response> {
  const secret = response.secret!;
  const { leaseId, ttl, warnings } = await core.expiration.register(route, req.path, token?.hashedId ?? '', secret);
  const allWarnings = [...(response.warnings ?? []), ...warnings];
  return { ...response, leaseId, secret: { ...secret, ttl }, warnings: allWarnings.length ? allWarnings : undefined };
}

/** For handlers that filter what they answer (LIST, SCAN): the ACL is looked up once, on first use. */
function allowedFor(core: Core, policies: string[], entityId: string, mountPath: string) {
  let acl: ReturnType<Core['policies']['aclFor']> | undefined;
  return (relPath: string, operation: Request['operation']) =>
    (acl ??= core.policies.aclFor(policies, entityId)).check({ path: mountPath + relPath, operation }).allowed;
}

function checkBoundCidrs(token: TokenEntry, remote: string | undefined): void {
  if (token.boundCidrs?.length && !addressAllowed(remote, token.boundCidrs)) throw permissionDenied();
}
