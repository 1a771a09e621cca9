/**
 * How every ACME resource answers (RFC 8555 section 6): JSON, PEM or problem documents as
 * raw bodies with their own content types, a fresh Replay-Nonce on every answer (errors
 * included, so a client can retry at once), and a Link to the directory. Coffer's own errors
 * thrown below (a role refusing a name) become problem documents too: an ACME client reads
 * nothing else.
 */
import { isCofferError } from '../../../errors.js';
import type { HandlerContext } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { openDirectory, type Directory, type DirectoryParams } from './directory.js';
import { newNonce } from './nonces.js';
import { AcmeProblem, problemDocument, type AcmeErrorType } from './problem.js';

export interface AcmeAnswer {
  status?: number;
  /** A JSON body. */
  json?: unknown;
  /** A PEM certificate chain body. */
  pem?: string;
  /** Absolute URL of the created or answered resource. */
  location?: string;
  /** Extra Link headers (rel="up" to a certificate's issuer, an order's account…). */
  links?: string[];
}

/** Fields every ACME path declares: the directory's path parameters, and the JWS members left for jws.ts to judge. */
export type AcmeFields = DirectoryParams & Record<string, unknown>;

export type AcmeHandler = (ctx: HandlerContext<AcmeFields>, dir: Directory) => Promise<AcmeAnswer>;

/** The path of this request below the directory, e.g. `order/abc/finalize`. */

function headersFor(ctx: HandlerContext<unknown>, dir: Directory | undefined, extra: Record<string, string> = {}, links: string[] = []): Record<string, string> {
  const headers: Record<string, string> = { 'replay-nonce': newNonce(ctx.mount.uuid), ...extra };
  const all = [...(dir ? [`<${dir.url('directory')}>;rel="index"`] : []), ...links];
  if (all.length) headers.link = all.join(', ');
  return headers;
}

function problemAnswer(ctx: HandlerContext<unknown>, dir: Directory | undefined, err: unknown): Response {
  let type: AcmeErrorType | string = 'serverInternal';
  let detail = 'internal error';
  let status = 500;
  let extra: Record<string, string> = {};
  if (err instanceof AcmeProblem) {
    ({ acmeType: type, message: detail, status } = err);
    extra = err.headers;
  } else if (isCofferError(err)) {
    // A Coffer refusal (an unknown role, a name the role forbids) is the client's request being wrong.
    type = err.status === 404 ? 'malformed' : err.status === 403 ? 'unauthorized' : err.status < 500 ? 'malformed' : 'serverInternal';
    detail = err.messages.join('; ');
    status = err.status;
  } else {
    ctx.logger.error('unexpected error in an ACME request', { request_id: ctx.req.id, error: (err as Error)?.message ?? String(err) });
  }
  const body = Buffer.from(JSON.stringify(problemDocument(type, detail, status)));
  return { status, file: { contentType: 'application/problem+json', body }, headers: headersFor(ctx, dir, extra) };
}

/** Wraps an ACME resource's handler: directory checks first, then the answer or a problem document. */
export function acmeResource(handler: AcmeHandler) {
  return async (ctx: HandlerContext<AcmeFields>): Promise<Response> => {
    let dir: Directory | undefined;
    try {
      dir = await openDirectory(ctx.storage, ctx.fields);
      const a = await handler(ctx, dir);
      const extra: Record<string, string> = a.location ? { location: a.location } : {};
      const headers = headersFor(ctx, dir, extra, a.links);
      if (a.pem !== undefined) return { status: a.status ?? 200, file: { contentType: 'application/pem-certificate-chain', body: Buffer.from(a.pem) }, headers };
      // An empty 200 (revoke-cert: certbot insists on 200) needs a body object: an empty answer is otherwise sent as 204.
      if (a.json === undefined && a.status === 200) return { status: 200, file: { contentType: 'text/plain', body: Buffer.alloc(0) }, headers };
      if (a.json === undefined) return { status: a.status ?? 204, headers };
      return { status: a.status ?? 200, file: { contentType: 'application/json', body: Buffer.from(JSON.stringify(a.json)) }, headers };
    } catch (err) {
      return problemAnswer(ctx, dir, err);
    }
  };
}
