/**
 * What the lego and certbot tests share: a pki mount with ACME on, names under coffer.test
 * resolving to 127.0.0.1 through a throwaway dnsmasq, and the real clients run as child
 * processes (asynchronously: the server under test lives in this process). The server
 * listens on plain HTTP or, as in production, HTTPS with a test certificate.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type Scheme, type TestServer } from './dev-server.js';
import { startDnsmasq, type TestDns } from './dnsmasq.js';
import { ok } from './transit.js';

export interface AcmeToolsTest {
  t: TestServer;
  dns: TestDns;
  dir: string;
  /** The default directory's URL. */
  directory: string;
  /** PEM file of the mount's root. */
  caFile: string;
  /** Environment that makes lego and certbot trust the listener (https only). */
  trust: Record<string, string>;
  write(path: string, body?: unknown): Promise<Record<string, any>>;
  /** GET /v1/pki/<path> without a token: the bytes. */
  fetchRaw(path: string): Promise<Buffer>;
  file(name: string, text: string | Buffer): string;
  close(): Promise<void>;
}

export async function startAcmeMount(scheme: Scheme = 'http'): Promise<AcmeToolsTest> {
  const t = await startDevServer({}, {}, scheme);
  ok(await t.root.raw('POST', 'sys/mounts/pki', { type: 'pki', config: { max_lease_ttl: '87600h' } }));
  const dir = mkdtempSync(join(tmpdir(), 'coffer-acme-'));
  const file = (name: string, text: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const write = async (path: string, body: unknown = {}) => ok(await t.root.raw<any>('POST', `pki/${path}`, body)).body?.data ?? {};
  const fetchRaw = (path: string) =>
    new Promise<Buffer>((resolve, reject) => {
      const url = `${t.address}/v1/pki/${path}`;
      if (!t.tls) return void fetch(url).then(async (r) => resolve(Buffer.from(await r.arrayBuffer())), reject);
      const req = httpsRequest(url, { ca: t.tls.cert }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      });
      req.on('error', reject);
      req.end();
    });
  const caFile = file('ca.pem', (await write('root/generate/internal', { common_name: 'Coffer ACME Root', ttl: '8760h', key_type: 'ec' })).certificate);
  const dns = await startDnsmasq({ addresses: { 'coffer.test': '127.0.0.1' } });
  await write('config/cluster', { path: `${t.address}/v1/pki` });
  await write('config/acme', { enabled: true, dns_resolver: dns.resolver });
  return {
    t,
    dns,
    dir,
    caFile,
    trust: t.tls ? { LEGO_CA_CERTIFICATES: t.tls.certFile, REQUESTS_CA_BUNDLE: t.tls.certFile } : {},
    directory: `${t.address}/v1/pki/acme/directory`,
    write,
    fetchRaw,
    file,
    async close() {
      await dns.stop();
      await t.close();
    },
  };
}

export interface ToolRun {
  code: number;
  out: string;
}

export function runTool(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 45_000): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}
