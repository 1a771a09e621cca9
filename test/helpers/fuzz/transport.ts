/**
 * Sending fuzz requests through node:http (which sends paths and methods as given, unlike
 * fetch), judging what comes back, and describing a request for a report. Raw-socket
 * exchanges and their parsing are in ../raw-http.ts.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { FuzzRequest } from './requests.js';

export interface HttpOutcome {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  /** Set when no HTTP answer arrived: a reset, a refused write, or the timeout. */
  error?: string;
  ms: number;
}

export function newAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/** One request; resolves (never rejects) with the answer or why there was none. */
export function sendHttp(address: string, req: FuzzRequest, agent: Agent, timeoutMs: number): Promise<HttpOutcome> {
  const url = new URL(address);
  const started = Date.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: Omit<HttpOutcome, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...o, ms: Date.now() - started });
    };
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) {
      if (req.chunked) headers['Transfer-Encoding'] = 'chunked';
      else headers['Content-Length'] = String(req.body.length);
    }
    let client: ReturnType<typeof httpRequest>;
    try {
      client = httpRequest({ host: url.hostname, port: Number(url.port), method: req.method, path: req.target, headers, agent });
    } catch (e) {
      // The generator made something Node's client refuses to send: a bug in the test.
      throw new Error(`node:http refused to send fuzz request #${req.n} (${req.method} ${req.target.slice(0, 200)}): ${(e as Error).message}`);
    }
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${timeoutMs} ms` });
      client.destroy();
    }, timeoutMs);
    client.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish({ error: `response stream error: ${e.message}` }));
      res.on('aborted', () => finish({ error: 'response aborted' }));
    });
    client.on('error', (e: NodeJS.ErrnoException) => finish({ error: `${e.code ?? ''} ${e.message}`.trim() }));
    if (req.body !== undefined) {
      if (req.chunked) {
        const half = Math.floor(req.body.length / 2);
        client.write(req.body.subarray(0, half));
        client.end(req.body.subarray(half));
      } else client.end(req.body);
    } else client.end();
  });
}

/**
 * The refusals Vault answers with 500 and Coffer does too, on purpose (src/errors.ts,
 * VaultCompat500): transit's backup of a key without allow_plaintext_backup, and a restore
 * over an existing key without force. Any other 500 is still a bug.
 */
const VAULT_COMPAT_500 = [/^plaintext backup is disallowed on the policy$/, /^key "[^"]*" already exists$/];

const BINARY_PROTOCOL_TYPES = new Set(['application/ocsp-response', 'application/pkix-crl', 'application/pkix-cert', 'application/pem-certificate-chain', 'application/x-pem-file']);

function isVaultCompat500(body: string): boolean {
  try {
    const errors = (JSON.parse(body) as { errors?: unknown } | null)?.errors;
    return Array.isArray(errors) && errors.length === 1 && typeof errors[0] === 'string' && VAULT_COMPAT_500.some((re) => re.test(errors[0] as string));
  } catch {
    return false;
  }
}

/**
 * What was wrong with an answer's status or body, or null. `sealedOk` allows 503. `health`
 * marks sys/health, which answers its own status codes (503 sealed, 501 uninitialized) with
 * the health body rather than `{"errors":[...]}`, as Vault does.
 */
export function answerProblem(status: number, body: string, opts: { head: boolean; sealedOk: boolean; health?: boolean; contentType?: string }): string | null {
  if (status >= 500 && !(opts.sealedOk && status === 503) && !(status === 500 && isVaultCompat500(body))) return `answered ${status}`;
  if (status === 204 || status === 304) return body === '' ? null : `answered ${status} with a body`;
  if (opts.head) return null;
  const type = (opts.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // PKI answers in the formats its protocols fix (RFC 6960 OCSP, RFC 5280 CRLs and
  // certificates, PEM): their bodies are not JSON, by design.
  if (BINARY_PROTOCOL_TYPES.has(type)) return null;
  // ACME's errors are RFC 7807 problem documents, not Vault's {"errors":[...]}.
  if (type === 'application/problem+json') {
    try {
      const p = JSON.parse(body) as { type?: unknown; detail?: unknown };
      return typeof p.type === 'string' && typeof p.detail === 'string' ? null : `answered ${status} with a problem document lacking type or detail`;
    } catch {
      return `answered ${status} with a problem document that is not JSON`;
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `answered ${status} with a body that is not JSON: ${JSON.stringify(body.slice(0, 200))}`;
  }
  // kv-v2 answers a deleted or destroyed version with 404 and the full envelope (its metadata), as Vault does.
  const envelope404 = status === 404 && parsed !== null && typeof parsed === 'object' && 'request_id' in parsed && 'data' in parsed;
  // transit's encrypt and decrypt answer a batch with a failed item 400 (or the caller's
  // partial_failure_response_code) with every item's result in the envelope, as Vault does.
  const batchFailure = parsed !== null && typeof parsed === 'object' && 'request_id' in parsed && Array.isArray((parsed as { data?: { batch_results?: unknown } }).data?.batch_results);
  if (status >= 400 && !opts.health && !envelope404 && !batchFailure) {
    const errors = (parsed as { errors?: unknown } | null)?.errors;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Array.isArray(errors) || !errors.every((e) => typeof e === 'string')) {
      return `answered ${status} without {"errors":[...]}: ${JSON.stringify(body.slice(0, 200))}`;
    }
  }
  return null;
}

const printable = (s: string, max: number) => {
  const cut = s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
  return JSON.stringify(cut);
};

/** One line naming a request exactly enough to replay it. */
export function describeRequest(req: FuzzRequest, rootToken: string): string {
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${printable(v.split(rootToken).join('<root>'), 80)}`)
    .join(', ');
  const body = req.body === undefined ? 'no body' : `${req.bodyKind} body ${printable(req.body.toString('utf8'), 300)}${req.chunked ? ' (chunked)' : ''}`;
  return `#${req.n} [${req.phase}] ${req.method} ${printable(req.target, 300)} {${headers}} ${body}`;
}

export function describeRaw(parts: (string | Buffer)[], rootToken: string): string {
  const text = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))).toString('latin1');
  return printable(text.split(rootToken).join('<root>'), 400);
}
