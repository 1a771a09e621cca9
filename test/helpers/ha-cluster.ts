/**
 * A throwaway HA cluster: one PostgreSQL and several real `coffer server` processes on it,
 * each with its own config file (`ha_enabled = "true"`, its own api_addr) and its own
 * PostgreSQL role, so a test can cut one node off the database by role. One audit file is
 * shared by every node's stanza (a configured device must be the same on every node).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPostgres, type TestPostgres } from './postgres.js';
import type { TestCertificate } from './tls-cert.js';
import { freePort, startProcessServer, stopAllProcessServers, type HttpOptions, type HttpResult, type ProcessServer } from './process-server.js';

export interface HaNode {
  name: string;
  /** The PostgreSQL role it logs in as. */
  role: string;
  address: string;
  configPath: string;
  server: ProcessServer;
  /** A request to this node, with the root token unless headers say otherwise. */
  call(method: string, path: string, body?: unknown, opts?: HttpOptions): Promise<HttpResult>;
}

export interface HaCluster {
  pg: TestPostgres;
  nodes: HaNode[];
  rootToken: string;
  keys: string[];
  auditFile: string;
  /** Starts node i again (after a kill) and unseals it. */
  restart(i: number): Promise<HaNode>;
  unseal(node: HaNode): Promise<void>;
  /** Waits until exactly one node among `among` says it is active; returns it. */
  waitForActive(among?: HaNode[], timeoutMs?: number): Promise<HaNode>;
  stop(): Promise<void>;
}

const TOKEN_HEADER = 'X-Vault-Token';

export interface HaClusterOptions {
  /** What node i (0-based) advertises as api_addr; default its own listener. */
  apiAddr?: (i: number, address: string) => string;
  /** The shared file audit device (default on); benchmarks turn it off to measure the nodes, not fdatasync. */
  audit?: boolean;
  /** TLS listeners with this certificate (asking for client certificates), trusted by every node and by `call`. */
  tls?: TestCertificate;
}

export async function startHaCluster(size: number, opts: HaClusterOptions = {}): Promise<HaCluster> {
  const pg = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-ha-'));
  const auditDir = join(dir, 'audit');
  mkdirSync(auditDir);
  const auditFile = join(auditDir, 'audit.log');
  // A node forwards to the active one over https: it must trust the listeners' certificate.
  const serverOptions = (configPath: string, address: string) => ({
    args: [`-config=${configPath}`],
    address,
    ...(opts.tls ? { ca: opts.tls.cert, env: { NODE_EXTRA_CA_CERTS: opts.tls.certFile } } : {}),
  });
  const cluster: HaCluster = {
    pg,
    nodes: [],
    rootToken: '',
    keys: [],
    auditFile,
    restart: async (i) => {
      const node = cluster.nodes[i]!;
      node.server = await startProcessServer(serverOptions(node.configPath, node.address));
      await cluster.unseal(node);
      return node;
    },
    unseal: async (node) => {
      for (const key of cluster.keys) {
        const res = await node.call('PUT', 'sys/unseal', { key }, { headers: {} });
        assert.equal(res.status, 200, res.text);
      }
      const status = await node.call('GET', 'sys/seal-status', undefined, { headers: {} });
      assert.equal(status.json.sealed, false, status.text);
    },
    waitForActive: async (among = cluster.nodes, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const leaders = await Promise.all(
          among.map(async (n) => {
            try {
              const res = await n.call('GET', 'sys/leader', undefined, { headers: {}, timeoutMs: 1000 });
              return res.json?.is_self === true;
            } catch {
              return false;
            }
          }),
        );
        const active = among.filter((_, i) => leaders[i]);
        if (active.length === 1) return active[0]!;
        assert.ok(active.length <= 1, `two nodes say they are active: ${active.map((n) => n.name).join(', ')}`);
        if (Date.now() > deadline) throw new Error('no node became active in time');
        await sleep(100);
      }
    },
    stop: async () => {
      await stopAllProcessServers();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < size; i++) {
    const name = `node${i + 1}`;
    const role = `coffer_${name}`;
    const password = `pw-${name}-${Math.random().toString(36).slice(2)}`;
    await pg.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${password}'`);
    const port = await freePort();
    const tls = opts.tls;
    const address = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    const nodeDir = join(dir, name);
    mkdirSync(nodeDir);
    const configPath = join(nodeDir, 'coffer.hcl');
    writeFileSync(
      configPath,
      `storage "postgresql" {
  connection_url = ${JSON.stringify(pg.url(role, password))}
  table          = "coffer_kv_store"
  ha_enabled     = "true"
  max_parallel   = 8
}

listener "tcp" {
  address     = "127.0.0.1:${port}"
${tls ? `  tls_cert_file = ${JSON.stringify(tls.certFile)}
  tls_key_file  = ${JSON.stringify(tls.keyFile)}` : '  tls_disable = true'}
}

api_addr     = "${opts.apiAddr?.(i, address) ?? address}"
cluster_addr = "https://127.0.0.1:${port + 1}"

${opts.audit === false ? '' : `audit "file" "file" {
  options { file_path = ${JSON.stringify(auditFile)} }
}
`}
log_level = "info"
`,
    );
    const node: HaNode = {
      name,
      role,
      address,
      configPath,
      server: undefined as unknown as ProcessServer,
      call: (method, path, body, o = {}) =>
        node.server.request(`/v1/${path}`, { method, body, ...(tls ? { ca: tls.cert } : {}), ...o, headers: o.headers ?? { [TOKEN_HEADER]: cluster.rootToken } }),
    };
    node.server = await startProcessServer(serverOptions(configPath, address));
    cluster.nodes.push(node);
  }
  const init = await cluster.nodes[0]!.call('PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 }, { headers: {} });
  assert.equal(init.status, 200, init.text);
  cluster.keys = init.json.keys_base64 as string[];
  cluster.rootToken = init.json.root_token as string;
  for (const node of cluster.nodes) await cluster.unseal(node);
  return cluster;
}

/** A request sent from another loopback address than the nodes use, so audit can tell the client apart. */
export function requestFrom(localAddress: string, url: string, method: string, token: string, body?: unknown): Promise<HttpResult> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, localAddress, agent: false, headers: { [TOKEN_HEADER]: token, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('timed out')));
    req.end(payload);
  });
}
