/**
 * How the client moves bytes: the global `fetch` by default, or `node:http`/`node:https`
 * when TLS settings are given (a private CA, a server name, or no verification), which
 * `fetch` cannot take without an extra dependency, or when asked (it starts faster).
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface TransportResponse {
  status: number;
  headers: Headers;
  text: string;
}

export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

export interface TlsOptions {
  /** PEM certificates to trust, in place of the system's roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Do not verify the server's certificate (testing only). */
  skipVerify?: boolean;
  /** The name to verify the certificate against (SNI), when it differs from the address. */
  serverName?: string;
  /** A client certificate and its key (PEM), for servers that ask for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** The server could not be reached, or the connection failed before an answer arrived. */
export class ConnectionError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${method} ${url}: ${reason}`);
  }
}

/** The innermost message of a network failure: fetch wraps it as `TypeError: fetch failed`. */
function reasonOf(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
  }
  return String(e);
}

export function fetchTransport(): Transport {
  return async (req) => {
    let res: Response;
    try {
      res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
    } catch (err) {
      throw new ConnectionError(req.method, req.url, reasonOf(err));
    }
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
}

export function nodeTransport(tls: TlsOptions): Transport {
  const agentOptions: https.AgentOptions = {
    ca: tls.ca,
    rejectUnauthorized: !tls.skipVerify,
    servername: tls.serverName,
    cert: tls.cert,
    key: tls.key,
  };
  const httpsAgent = new https.Agent({ ...agentOptions, keepAlive: true });
  const httpAgent = new http.Agent({ keepAlive: true });
  return (req) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const mod = url.protocol === 'https:' ? https : http;
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
      const request = mod.request(
        url,
        { method: req.method, headers, agent: url.protocol === 'https:' ? httpsAgent : httpAgent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(new ConnectionError(req.method, req.url, reasonOf(err))));
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (Array.isArray(v)) for (const x of v) h.append(k, x);
              else if (v !== undefined) h.set(k, v);
            }
            resolve({ status: res.statusCode ?? 0, headers: h, text: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      request.on('error', (err) => reject(new ConnectionError(req.method, req.url, reasonOf(err))));
      request.end(req.body);
    });
}
