/**
 * Server configuration files (Vault's shape, HCL or JSON): what parseConfigText accepts,
 * what it refuses and how it says so; then the CLI started from a file with a TLS listener
 * and a request size limit.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfigText } from '../src/server/config-file.js';
import { DEFAULT_MAX_REQUEST_SIZE } from '../src/server/server-config.js';
import { freePort, httpRequest, runCli, startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';
import { selfSignedCert } from './helpers/tls-cert.js';

after(() => stopAllProcessServers());

const SOURCE = 'coffer.hcl';
// No environment: a VAULT_TOKEN or VAULT_ADDR of the machine must not change what these tests see.
const parse = (text: string) => parseConfigText(text, SOURCE, {});

/** parseConfigText must throw an Error whose message names the file and matches `pattern`. */
function refuses(text: string, pattern: RegExp, label = text) {
  assert.throws(
    () => parse(text),
    (err: unknown) => {
      assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
      assert.ok(err.message.startsWith(`${SOURCE}: `), `the message names the file: ${JSON.stringify(err.message)}`);
      assert.match(err.message, pattern);
      return true;
    },
    `accepted: ${label}`,
  );
}

/** Neither unauthenticated rekey nor generate-root: a listener's defaults. */
const CLOSED = { disableUnauthedRekeyEndpoints: true, disableUnauthedGenerateRootEndpoints: true };
const LISTENER = 'listener "tcp" {\n  address     = "127.0.0.1:8200"\n  tls_disable = true\n}\n';
const INMEM = 'storage "inmem" {}\n';

describe('parseConfigText: the same configuration as HCL and as JSON', () => {
  const hcl = `
# A production-style configuration.
storage "sqlite" {
  path = "/var/lib/coffer/coffer.db"
}

listener "tcp" {
  address          = "0.0.0.0:8200"
  tls_cert_file    = "/etc/coffer/tls.crt"
  tls_key_file     = "/etc/coffer/tls.key"
  max_request_size = 1048576
}

listener "tcp" {
  address     = "127.0.0.1:8201"
  tls_disable = true
}

ui                = true
api_addr          = "https://coffer.example.com:8200"
cluster_addr      = "https://coffer.example.com:8201"
default_lease_ttl = "768h"
max_lease_ttl     = "8760h"
log_level         = "debug"

unsafe_allow_api_audit_creation = true
allow_audit_log_prefixing       = true

audit "file" "main" {
  description = "the main log"
  options {
    file_path = "/var/log/coffer/audit.log"
    mode      = "0640"
  }
}

audit "socket" "siem" {
  options = { address = "10.0.0.5:9090", prefix = "coffer " }
  local   = true
}
`;
  const json = JSON.stringify({
    storage: { sqlite: { path: '/var/lib/coffer/coffer.db' } },
    listener: [
      { tcp: { address: '0.0.0.0:8200', tls_cert_file: '/etc/coffer/tls.crt', tls_key_file: '/etc/coffer/tls.key', max_request_size: 1048576 } },
      { tcp: { address: '127.0.0.1:8201', tls_disable: true } },
    ],
    ui: true,
    api_addr: 'https://coffer.example.com:8200',
    cluster_addr: 'https://coffer.example.com:8201',
    default_lease_ttl: '768h',
    max_lease_ttl: '8760h',
    log_level: 'debug',
    unsafe_allow_api_audit_creation: true,
    allow_audit_log_prefixing: true,
    audit: [
      { file: { main: { description: 'the main log', options: { file_path: '/var/log/coffer/audit.log', mode: '0640' } } } },
      { socket: { siem: { options: { address: '10.0.0.5:9090', prefix: 'coffer ' }, local: true } } },
    ],
  }, null, 2);

  it('reads every setting of the HCL form', () => {
    assert.deepEqual(parse(hcl), {
      storage: { type: 'sqlite', config: { path: '/var/lib/coffer/coffer.db' } },
      listeners: [
        { address: '0.0.0.0:8200', tlsDisable: false, tlsCertFile: '/etc/coffer/tls.crt', tlsKeyFile: '/etc/coffer/tls.key', maxRequestSize: 1048576, ...CLOSED },
        { address: '127.0.0.1:8201', tlsDisable: true, tlsCertFile: undefined, tlsKeyFile: undefined, maxRequestSize: DEFAULT_MAX_REQUEST_SIZE, ...CLOSED },
      ],
      ui: true,
      apiAddr: 'https://coffer.example.com:8200',
      clusterAddr: 'https://coffer.example.com:8201',
      defaultLeaseTtl: 768 * 3600,
      maxLeaseTtl: 8760 * 3600,
      logLevel: 'debug',
      unsafeAllowApiAuditCreation: true,
      allowAuditLogPrefixing: true,
      audits: [
        { path: 'main/', type: 'file', description: 'the main log', options: { file_path: '/var/log/coffer/audit.log', mode: '0640' }, local: false },
        { path: 'siem/', type: 'socket', description: '', options: { address: '10.0.0.5:9090', prefix: 'coffer ' }, local: true },
      ],
    });
  });

  it('gives the same result for the JSON form', () => {
    assert.deepEqual(parse(json), parse(hcl));
  });

  it('takes JSON blocks keyed by label, not only lists of them', () => {
    const single = JSON.stringify({ storage: { inmem: {} }, listener: { tcp: { address: '127.0.0.1:8200', tls_disable: true } } });
    assert.deepEqual(parse(single), parse(INMEM + LISTENER));
  });

  it('defaults: no TTLs (0), ui off, log level info, 32 MiB request limit', () => {
    const c = parse(INMEM + LISTENER);
    assert.equal(c.storage.type, 'inmem');
    assert.equal(c.defaultLeaseTtl, 0);
    assert.equal(c.maxLeaseTtl, 0);
    assert.equal(c.ui, false);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.listeners[0]!.maxRequestSize, 32 * 1024 * 1024);
    assert.equal(c.apiAddr, undefined);
    assert.equal(c.unsafeAllowApiAuditCreation, false, 'audit devices cannot be enabled through the API unless the file says so');
    assert.equal(c.allowAuditLogPrefixing, false);
    assert.deepEqual(c.audits, []);
  });

  it('accepts Vault\'s older names: a "backend" block and the "file" storage type (stored in sqlite)', () => {
    assert.equal(parse('backend "inmem" {}\n' + LISTENER).storage.type, 'inmem');
    assert.deepEqual(parse('storage "file" { path = "/data/coffer" }\n' + LISTENER).storage, { type: 'sqlite', config: { path: '/data/coffer' } });
  });
});

describe('parseConfigText: durations and booleans', () => {
  const withTtls = (d: string, m: string) => parse(`${INMEM}${LISTENER}default_lease_ttl = ${d}\nmax_lease_ttl = ${m}\n`);

  it('reads durations as Go duration strings or as numbers of seconds', () => {
    assert.equal(withTtls('"768h"', '3600').defaultLeaseTtl, 768 * 3600);
    assert.equal(withTtls('"768h"', '3600').maxLeaseTtl, 3600);
    assert.equal(withTtls('"1h30m"', '"90s"').defaultLeaseTtl, 5400);
    assert.equal(withTtls('"1h30m"', '"90s"').maxLeaseTtl, 90);
    assert.equal(withTtls('"3600"', '"10m"').defaultLeaseTtl, 3600);
    assert.equal(withTtls('"3600"', '"10m"').maxLeaseTtl, 600);
  });

  it('reads tls_disable as true, "true" or 1 (and their false forms)', () => {
    for (const v of ['true', '"true"', '1', '"1"', '"TRUE"']) {
      const c = parse(`${INMEM}listener "tcp" {\n  tls_disable = ${v}\n}\n`);
      assert.equal(c.listeners[0]!.tlsDisable, true, `tls_disable = ${v}`);
    }
    for (const v of ['false', '"false"', '0']) {
      const c = parse(`${INMEM}listener "tcp" {\n  tls_disable = ${v}\n  tls_cert_file = "/c"\n  tls_key_file = "/k"\n}\n`);
      assert.equal(c.listeners[0]!.tlsDisable, false, `tls_disable = ${v}`);
    }
  });

  it('reads max_request_size as a number or a numeric string', () => {
    assert.equal(parse(`${INMEM}listener "tcp" {\n  tls_disable = true\n  max_request_size = 1024\n}\n`).listeners[0]!.maxRequestSize, 1024);
    assert.equal(parse(`${INMEM}listener "tcp" {\n  tls_disable = true\n  max_request_size = "2048"\n}\n`).listeners[0]!.maxRequestSize, 2048);
  });
});

describe('parseConfigText: refusals name the file and the problem', () => {
  it('no storage block', () => refuses(LISTENER, /storage/));

  it('two storage blocks', () => refuses('storage "sqlite" { path = "/a" }\nstorage "inmem" {}\n' + LISTENER, /exactly one storage/));

  it('a storage block and a backend block together', () => refuses('storage "inmem" {}\nbackend "inmem" {}\n' + LISTENER, /exactly one storage/));

  it('an unknown storage type, named', () => refuses('storage "consul" {\n  address = "x"\n}\n' + LISTENER, /unknown storage type "consul"/));

  it('a storage block without a type label', () => refuses('storage {\n  path = "/a"\n}\n' + LISTENER, /storage/));

  it('a duration that is not one', () => {
    refuses(`${INMEM}${LISTENER}default_lease_ttl = "forever"\n`, /default_lease_ttl/);
    refuses(`${INMEM}${LISTENER}max_lease_ttl = -5\n`, /max_lease_ttl/);
  });

  it('a boolean that is not one', () => {
    refuses(`${INMEM}listener "tcp" {\n  tls_disable = "yes please"\n}\n`, /tls_disable/);
    refuses(`${INMEM}${LISTENER}ui = "maybe"\n`, /\bui\b/);
    refuses(`${INMEM}${LISTENER}unsafe_allow_api_audit_creation = "perhaps"\n`, /unsafe_allow_api_audit_creation/);
    refuses(`${INMEM}${LISTENER}allow_audit_log_prefixing = "perhaps"\n`, /allow_audit_log_prefixing/);
  });

  it('no listener', () => refuses(INMEM + 'ui = true\n', /listener/));

  it('a listener other than tcp', () => refuses(INMEM + 'listener "unix" {\n  tls_disable = true\n}\n', /tcp/));

  it('TLS on without certificate files', () => {
    refuses(INMEM + 'listener "tcp" {\n  address = "127.0.0.1:8200"\n}\n', /tls_cert_file/);
    refuses(INMEM + 'listener "tcp" {\n  tls_cert_file = "/c.pem"\n}\n', /tls_key_file/);
    refuses(INMEM + 'listener "tcp" {\n  tls_disable = false\n  tls_key_file = "/k.pem"\n}\n', /tls_cert_file/);
  });

  it('a bad max_request_size', () => {
    for (const v of ['"abc"', '0', '-5', '10.5', '""', 'true']) {
      refuses(`${INMEM}listener "tcp" {\n  tls_disable = true\n  max_request_size = ${v}\n}\n`, /max_request_size/, `max_request_size = ${v}`);
    }
  });

  it('a bad log_level, named', () => refuses(`${INMEM}${LISTENER}log_level = "loud"\n`, /log.level.*"loud"|"loud".*log.level/));

  it('accepts every known log level (and "warning" as warn)', () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'off', 'INFO']) {
      assert.equal(parse(`${INMEM}${LISTENER}log_level = "${level}"\n`).logLevel, level.toLowerCase());
    }
    assert.equal(parse(`${INMEM}${LISTENER}log_level = "warning"\n`).logLevel, 'warn');
  });

  it('an HCL syntax error names its line', () => {
    refuses(`${INMEM}listener "tcp" {\n  tls_disable =\n}\n`, /line 4\b/);
    refuses(`${INMEM}\n\nlistener "tcp" {\n  tls_disable = true\n`, /line \d+/);
    refuses(`${INMEM}${LISTENER}ui = = true\n`, /line 6\b/);
  });

  it('a JSON syntax error names its line', () => {
    refuses('{\n  "storage": {"inmem": {}},\n  "listener": \n}\n', /line [34]\b/);
  });
});

/** A self-signed certificate for 127.0.0.1 in `dir`, as the paths and PEM this file's tests use. */
function makeCertificate(dir: string): { cert: string; key: string; pem: string } {
  const made = selfSignedCert('127.0.0.1', dir);
  return { cert: made.certFile, key: made.keyFile, pem: made.cert };
}

describe('coffer server -config with a TLS listener and max_request_size', () => {
  let dir = '';
  let tls: { cert: string; key: string; pem: string };
  let server: ProcessServer;

  before(async () => {
    execFileSync('openssl', ['version'], { stdio: 'pipe' }); // fails clearly when openssl is missing
    dir = mkdtempSync(join(tmpdir(), 'coffer-config-'));
    tls = makeCertificate(dir);
    const port = await freePort();
    const configPath = join(dir, 'coffer.hcl');
    writeFileSync(
      configPath,
      `storage "inmem" {}

listener "tcp" {
  address          = "127.0.0.1:${port}"
  tls_cert_file    = ${JSON.stringify(tls.cert)}
  tls_key_file     = ${JSON.stringify(tls.key)}
  max_request_size = 1024
}

log_level = "warn"
`,
    );
    server = await startProcessServer({ args: [`-config=${configPath}`], address: `https://127.0.0.1:${port}`, ca: tls.pem });
  });

  after(async () => {
    await stopAllProcessServers();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers sys/health over HTTPS with the configured certificate: 501 and the JSON body while uninitialized', async () => {
    assert.match(server.address, /^https:/);
    const res = await server.request('/v1/sys/health');
    assert.equal(res.status, 501);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.equal(res.json.initialized, false);
    assert.equal(res.json.sealed, true);
    assert.equal(res.json.standby, false);
    assert.equal(typeof res.json.version, 'string');
  });

  it('is not reachable by a client that does not trust the certificate, nor over plain HTTP', async () => {
    await assert.rejects(httpRequest(`${server.address}/v1/sys/health`, { agent: false }), /self[- ]signed|certificate/i);
    const plain = server.address.replace(/^https:/, 'http:');
    const answer = await httpRequest(`${plain}/v1/sys/health`, { agent: false, timeoutMs: 3_000 }).then(
      (r) => r.status,
      () => 'refused',
    );
    assert.notEqual(answer, 501, 'no API answer over plain HTTP on a TLS listener');
  });

  it('answers 413 with a JSON error to a 2 KB body (max_request_size = 1024)', async () => {
    const big = JSON.stringify({ secret_shares: 1, secret_threshold: 1, pad: 'x'.repeat(2048) });
    const res = await server.request('/v1/sys/init', { method: 'PUT', body: big, headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 413, res.text);
    assert.ok(Array.isArray(res.json?.errors) && res.json.errors.length > 0, res.text);
    assert.equal((await server.request('/v1/sys/init')).json.initialized, false, 'the oversized init was not applied');
  });

  it('applies the limit to bodies without a Content-Type (as the Go client sends them)', async () => {
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(2048) }));
    const res = await server.request('/v1/sys/init', { method: 'PUT', body: big });
    assert.equal(res.status, 413, res.text);
  });

  it('applies the limit to a chunked body with no Content-Length', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(2048) });
    const res = await server.request('/v1/sys/init', { method: 'PUT', body: big, chunked: true, headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 413, res.text);
  });

  it('still takes a body under the limit', async () => {
    const res = await server.request('/v1/sys/init', { method: 'PUT', body: { secret_shares: 1, secret_threshold: 1 } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.keys.length, 1);
    assert.equal((await server.request('/v1/sys/health')).status, 503, 'initialized, sealed');
  });

  it('stops cleanly on SIGTERM', async () => {
    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr());
  });
});

describe('coffer server -config with TLS files that cannot be used', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-badtls-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function configWith(cert: string, key: string): Promise<string> {
    const path = join(dir, `bad-${Math.random().toString(36).slice(2)}.hcl`);
    writeFileSync(
      path,
      `storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:${await freePort()}"\n  tls_cert_file = ${JSON.stringify(cert)}\n  tls_key_file = ${JSON.stringify(key)}\n}\n`,
    );
    return path;
  }

  it('exits 1 naming the certificate file when it does not exist', async () => {
    const missing = join(dir, 'missing.crt');
    const res = await runCli(['server', `-config=${await configWith(missing, join(dir, 'missing.key'))}`]);
    assert.equal(res.code, 1, res.stderr);
    assert.ok(res.stderr.includes(missing), res.stderr);
    assert.doesNotMatch(res.stderr, /^\s+at /m);
  });

  it('exits 1 naming the files when the key does not belong to the certificate', async () => {
    const a = makeCertificate(mkdtempSync(join(dir, 'a-')));
    const b = makeCertificate(mkdtempSync(join(dir, 'b-')));
    const res = await runCli(['server', `-config=${await configWith(a.cert, b.key)}`]);
    assert.equal(res.code, 1, res.stderr);
    assert.doesNotMatch(res.stderr, /^\s+at /m);
    assert.ok(res.stderr.includes(a.cert) || res.stderr.includes(b.key), `the message names the files:\n${res.stderr}`);
  });
});
