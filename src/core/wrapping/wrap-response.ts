/**
 * Response wrapping: an answer is stored in the cubbyhole of a new single-use token, and
 * the client gets only that token (`wrap_info`). Whoever later unwraps it receives the answer
 * exactly as the original client would have; if anyone else got there first, the
 * legitimate receiver finds the token already used, and knows.
 */
import { internalError } from '../../errors.js';
import { envelope } from '../../logical/envelope.js';
import type { Request, Response, WrapInfo } from '../../logical/request.js';
import type { Storage } from '../../logical/storage.js';
import { rfc3339Nano } from '../../logical/time-format.js';
import type { Core } from '../core.js';
import { RESPONSE_WRAPPING_POLICY_NAME } from '../policy/index.js';
import { storeWrapped } from './wrapped-store.js';
import { wrapTtlFor } from './wrapping-token.js';

export type WrappingCore = Pick<Core, 'tokens' | 'router' | 'clock' | 'system'>;

export function cubbyholeStorage(core: Pick<Core, 'router'>): Storage {
  const route = core.router.get('cubbyhole/');
  if (!route) throw internalError('response wrapping needs the cubbyhole mount, which is missing');
  return route.storage;
}

export interface WrapOptions {
  /** The answer as JSON text, stored as it is. */
  body: string;
  /** seconds, already checked against the server's bounds */
  ttl: number;
  creationPath: string;
  wrappedAccessor?: string;
}

/**
 * A new wrapping token holding `body`: single use, orphan, not renewable, its TTL also its
 * explicit max, and only the response-wrapping policy.
 */
export async function createWrappingToken(core: WrappingCore, opts: WrapOptions): Promise<WrapInfo> {
  const now = core.clock();
  const { token, entry } = await core.tokens.create({
    policies: [RESPONSE_WRAPPING_POLICY_NAME],
    noDefaultPolicy: true,
    responseWrapping: true,
    path: opts.creationPath,
    displayName: 'response-wrapping',
    ttl: opts.ttl,
    explicitMaxTtl: opts.ttl,
    renewable: false,
    numUses: 1,
    orphan: true,
  });
  const creationTime = rfc3339Nano(now);
  try {
    await storeWrapped(cubbyholeStorage(core), entry.cubbyholeId, opts.body, {
      creation_ttl: opts.ttl,
      creation_time: creationTime,
      creation_path: opts.creationPath,
    });
  } catch (err) {
    // A token with an empty cubbyhole must not outlive the failed request.
    await core.tokens.revokeOrphan(entry).catch(() => undefined);
    throw err;
  }
  const info: WrapInfo = { token, accessor: entry.accessor, ttl: opts.ttl, creation_time: creationTime, creation_path: opts.creationPath };
  if (opts.wrappedAccessor) info.wrapped_accessor = opts.wrappedAccessor;
  return info;
}

const hasBody = (res: Response): boolean => !!(res.data || res.authBlock || res.warnings?.length || res.secret);

/**
 * Whether the pipeline's wrapping step has work: the client or the handler asked, and the
 * answer has a body to wrap. Not wrapped: error statuses (errors are always answered
 * plainly), bare answers (`raw`: seal status, health, help, an unwrapped answer — Vault's
 * non-logical endpoints), and answers wrapped already (rewrap). Synchronous, so that the
 * pipeline pays no await for the answers (nearly all) that are not wrapped.
 */
export function wantsWrapping(req: Request, res: Response): boolean {
  if (req.wrapTtl === undefined && res.wrapTtl === undefined) return false;
  return !res.wrapInfo && res.raw === undefined && (res.status ?? 200) < 300 && hasBody(res);
}

/**
 * The pipeline's wrapping step, after the handler (and the login's token) and before the
 * answer is audited: the answer goes into a new wrapping token, and the client gets an
 * answer with that token's `wrap_info` and the original's warnings, nothing else.
 */
export async function wrapIfRequested(core: WrappingCore, req: Request, res: Response, mountType: string): Promise<Response> {
  let ttl = wrapTtlFor(req, res);
  if (ttl === undefined || !wantsWrapping(req, res)) return res;
  // The client's TTL was checked before the handler ran; a handler's own demand is kept in bounds here.
  ttl = Math.max(1, Math.min(Math.floor(ttl), core.system.maxLeaseTtl));
  const body = JSON.stringify(envelope(req.id, { ...res, mountType }));
  let wrapInfo: WrapInfo;
  try {
    wrapInfo = await createWrappingToken(core, {
      body,
      ttl,
      creationPath: req.path,
      wrappedAccessor: res.authBlock?.accessor ?? res.wrappedAccessor,
    });
  } catch (err) {
    // A token made for this answer (login, token create) that nobody will ever receive must not live on.
    if (res.authBlock) await revokeByAccessor(core, res.authBlock.accessor);
    throw err;
  }
  return { wrapInfo, warnings: res.warnings };
}

async function revokeByAccessor(core: WrappingCore, accessor: string): Promise<void> {
  const entry = await core.tokens.lookupByAccessor(accessor, { includeUsedUp: true }).catch(() => null);
  if (entry) await core.tokens.revokeTree(entry).catch(() => undefined);
}
