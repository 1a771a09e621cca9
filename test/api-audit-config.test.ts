/**
 * Audit devices declared in the configuration file (`audit "file" "main" { ... }`) of a
 * server running as its own process: created at the first unseal, kept with their salt and
 * their log across restarts and SIGHUP, out of the API's reach, refused when their stanza
 * changes, disabled when it goes; and the switches unsafe_allow_api_audit_creation and
 * allow_audit_log_prefixing.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pairById, readAuditLog } from './helpers/audit-log.js';
import { freePort, startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';

after(() => stopAllProcessServers());

describe('audit stanzas of a configuration file', () => {
  let dir: string;
  let configPath: string;
  let mainLog: string;
  let port = 0;
  let server: ProcessServer;
  let root = '';
  let unsealKey = '';

  const call = (method: string, path: string, body?: unknown) => server.request(`/v1/${path}`, { method, headers: { 'X-Vault-Token': root }, body });
  const stanza = (description: string) => `audit "file" "main" {\n  description = ${JSON.stringify(description)}\n  options {\n    file_path = ${JSON.stringify(mainLog)}\n  }\n}\n`;
  const base = () => `storage "sqlite" {\n  path = ${JSON.stringify(join(dir, 'data', 'coffer.db'))}\n}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\nlog_level = "warn"\n`;

  /** (Re)starts the server with this configuration and submits the unseal key; the unseal's answer. */
  async function restart(config: string) {
    await server?.stop();
    writeFileSync(configPath, config);
    server = await startProcessServer({ args: [`-config=${configPath}`], address: `http://127.0.0.1:${port}` });
    return server.request('/v1/sys/unseal', { method: 'PUT', body: { key: unsealKey } });
  }
  const devices = async () => (await call('GET', 'sys/audit')).json.data as Record<string, any>;
  const hash = async (path: string) => (await call('POST', `sys/audit-hash/${path}`, { input: 'x' })).json.hash as string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-audit-stanza-'));
    mkdirSync(join(dir, 'conf'));
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'logs'));
    configPath = join(dir, 'conf', 'coffer.hcl');
    mainLog = join(dir, 'logs', 'main.log');
    port = await freePort();
    writeFileSync(configPath, base() + stanza('declared'));
    server = await startProcessServer({ args: [`-config=${configPath}`], address: `http://127.0.0.1:${port}` });
    const init = await server.request('/v1/sys/init', { method: 'PUT', body: { secret_shares: 1, secret_threshold: 1 } });
    root = init.json.root_token;
    unsealKey = init.json.keys_base64[0];
    assert.equal((await server.request('/v1/sys/unseal', { method: 'PUT', body: { key: unsealKey } })).json.sealed, false);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the declared device: listed as declared, and it records requests', async () => {
    assert.deepEqual(await devices(), { 'main/': { type: 'file', description: 'declared', options: { file_path: mainLog }, local: false, path: 'main/' } });
    const res = await call('GET', 'auth/token/lookup-self');
    pairById(readAuditLog(mainLog), res.json.request_id);
  });

  it('refuses to disable or overwrite it through the API, and to enable any device without unsafe_allow_api_audit_creation', async () => {
    const del = await call('DELETE', 'sys/audit/main');
    assert.equal(del.status, 400, del.text);
    assert.match(del.json.errors[0], /cannot disable the audit device at "main\/": it is declared in the server's configuration file/);
    const other = join(dir, 'logs', 'other.log');
    for (const path of ['main', 'other']) {
      const res = await call('PUT', `sys/audit/${path}`, { type: 'file', options: { file_path: other } });
      assert.equal(res.status, 403, res.text);
      assert.match(res.json.errors[0], /cannot be enabled through the API.*unsafe_allow_api_audit_creation = true/);
    }
    assert.equal(existsSync(other), false);
    assert.deepEqual(Object.keys(await devices()), ['main/']);
  });

  it('refuses the CVE-2025-6000 request with 403, leaving the victim file as it was', async () => {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'SHELL=/bin/sh\n');
    chmodSync(victim, 0o644);
    const res = await call('PUT', 'sys/audit/x', { type: 'file', options: { file_path: victim, prefix: '* * * * * root touch /tmp/pwned # ' } });
    assert.equal(res.status, 403, res.text);
    await call('GET', 'auth/token/lookup-self');
    assert.equal(readFileSync(victim, 'utf8'), 'SHELL=/bin/sh\n');
    assert.equal(statSync(victim).mode & 0o777, 0o644);
  });

  it('keeps the device, its salt and its log across a restart, and after SIGHUP reopens the same log', async () => {
    const before = await hash('main');
    const earlier = readAuditLog(mainLog).length;
    assert.equal((await restart(base() + stanza('declared'))).json.sealed, false);
    assert.equal(await hash('main'), before);
    const after = await call('GET', 'auth/token/lookup-self');
    const lines = readAuditLog(mainLog);
    assert.ok(lines.length > earlier, 'appended to the log it wrote before the restart');
    pairById(lines, after.json.request_id);
    // Nothing renamed the log: the device closes it and must accept it again as its own.
    server.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    const later = await call('GET', 'auth/token/lookup-self');
    assert.equal(later.status, 200, later.text);
    pairById(readAuditLog(mainLog), later.json.request_id);
    assert.doesNotMatch(server.stderr() + server.stdout(), /could not be reopened/);
  });

  it('refuses to unseal when the stanza changed, saying how to change it; unseals again once it is back', async () => {
    const res = await restart(base() + stanza('changed'));
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.errors[0], /"main\/" of the configuration file differs .*description "declared" enabled, "changed" configured.*cannot be changed/);
    assert.equal((await server.request('/v1/sys/seal-status')).json.sealed, true);
    assert.equal((await restart(base() + stanza('declared'))).json.sealed, false);
    assert.deepEqual(Object.keys(await devices()), ['main/']);
  });

  it('with unsafe_allow_api_audit_creation, enables devices through the API, but never at the declared path, and no prefix without allow_audit_log_prefixing', async () => {
    assert.equal((await restart(`${base()}${stanza('declared')}unsafe_allow_api_audit_creation = true\n`)).json.sealed, false);
    const apiLog = join(dir, 'logs', 'api.log');
    assert.equal((await call('PUT', 'sys/audit/api', { type: 'file', options: { file_path: apiLog } })).status, 204);
    const taken = await call('PUT', 'sys/audit/main', { type: 'file', options: { file_path: apiLog } });
    assert.equal(taken.status, 400, taken.text);
    assert.match(taken.json.errors[0], /"main\/" is declared in the server's configuration file/);
    const prefixed = join(dir, 'logs', 'prefixed.log');
    const refused = await call('PUT', 'sys/audit/prefixed', { type: 'file', options: { file_path: prefixed, prefix: 'AUDIT ' } });
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.json.errors[0], /allow_audit_log_prefixing = true/);
    assert.equal(existsSync(prefixed), false);
    assert.deepEqual(Object.keys(await devices()).sort(), ['api/', 'main/']);
  });

  it('with allow_audit_log_prefixing, takes a prefix, and reopens that prefixed log after a restart', async () => {
    const config = `${base()}${stanza('declared')}unsafe_allow_api_audit_creation = true\nallow_audit_log_prefixing = true\n`;
    assert.equal((await restart(config)).json.sealed, false);
    const prefixed = join(dir, 'logs', 'prefixed.log');
    assert.equal((await call('PUT', 'sys/audit/prefixed', { type: 'file', options: { file_path: prefixed, prefix: 'AUDIT ' } })).status, 204);
    const first = await call('GET', 'auth/token/lookup-self');
    assert.equal((await restart(config)).json.sealed, false);
    const second = await call('GET', 'auth/token/lookup-self');
    const lines = readAuditLog(prefixed, 'AUDIT ');
    pairById(lines, first.json.request_id);
    pairById(lines, second.json.request_id);
  });

  it('refuses to unseal when a stanza declares the path of a device enabled through the API', async () => {
    const clash = `audit "file" "api" {\n  options {\n    file_path = ${JSON.stringify(join(dir, 'logs', 'clash.log'))}\n  }\n}\n`;
    const res = await restart(`${base()}${stanza('declared')}${clash}unsafe_allow_api_audit_creation = true\nallow_audit_log_prefixing = true\n`);
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.errors[0], /"api\/" of the configuration file clashes with the device at "api\/", which was enabled through the API/);
  });

  it('disables the declared device once its stanza is gone, and leaves those of the API', async () => {
    assert.equal((await restart(`${base()}unsafe_allow_api_audit_creation = true\nallow_audit_log_prefixing = true\n`)).json.sealed, false);
    assert.deepEqual(Object.keys(await devices()).sort(), ['api/', 'prefixed/']);
    const lines = readAuditLog(mainLog).length;
    await call('GET', 'auth/token/lookup-self');
    assert.equal(readAuditLog(mainLog).length, lines, 'no more entries in its log');
  });
});
