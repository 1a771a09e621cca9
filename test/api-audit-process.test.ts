/**
 * Audit devices of a server running as its own process: SIGHUP log rotation, the
 * directories a file device may never write into, the configuration switch that turns
 * on enabling devices through the API, and a device table that survives a restart.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readAuditLog } from './helpers/audit-log.js';
import { freePort, startProcessServer, stopAllProcessServers, type ProcessServer } from './helpers/process-server.js';

after(() => stopAllProcessServers());

type Body = Record<string, any>;

async function call(server: ProcessServer, token: string, method: string, path: string, body?: unknown) {
  return server.request(`/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body });
}

describe('SIGHUP reopens audit files (log rotation)', () => {
  let server: ProcessServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-rotate-'));
    server = await startProcessServer({ dev: { rootTokenId: 'rotate-root' } });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes to the renamed file until SIGHUP, then to a new file at the path', async () => {
    const log = join(dir, 'audit.log');
    assert.equal((await call(server, 'rotate-root', 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: log } })).status, 204);
    const before = await call(server, 'rotate-root', 'GET', 'auth/token/lookup-self');
    renameSync(log, `${log}.1`);
    const during = await call(server, 'rotate-root', 'GET', 'auth/token/lookup-self');
    assert.equal(existsSync(log), false, 'nothing reopens the file by itself');
    server.child.kill('SIGHUP');
    // A request in flight while the file is reopened may have its request entry in the old
    // file and its response entry in the new one: wait for a request entirely after the reopen.
    const deadline = Date.now() + 15_000;
    let after: Body | undefined;
    while (Date.now() < deadline) {
      const res = await call(server, 'rotate-root', 'GET', 'auth/token/lookup-self');
      if (existsSync(log) && readAuditLog(log).filter((l) => l.request.id === res.json.request_id).length === 2) {
        after = res.json;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(after, 'no entry reached a new file at the path after SIGHUP');
    const old = readAuditLog(`${log}.1`).map((l) => l.request.id);
    assert.ok(old.includes(before.json.request_id) && old.includes(during.json.request_id), 'entries before the signal stay in the renamed file');
    assert.equal(readAuditLog(log).filter((l) => l.request.id === after.request_id).length, 2, 'both entries of a later request in the new file');
    assert.equal(server.child.exitCode, null, 'SIGHUP does not stop the server');
  });

  it('writes entries to its standard output with file_path = "stdout" (containers), and drops them with "discard"', async () => {
    assert.equal((await call(server, 'rotate-root', 'PUT', 'sys/audit/out', { type: 'file', options: { file_path: 'stdout' } })).status, 204);
    assert.equal((await call(server, 'rotate-root', 'PUT', 'sys/audit/nothing', { type: 'file', options: { file_path: 'discard' } })).status, 204);
    const res = await call(server, 'rotate-root', 'GET', 'auth/token/lookup-self');
    assert.equal(res.status, 200);
    // The entries were in the pipe before the answer left; this process may read them a moment later.
    const mine = () =>
      server
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{"time":'))
        .map((l) => JSON.parse(l))
        .filter((e) => e.request?.id === res.json.request_id);
    for (const deadline = Date.now() + 3000; mine().length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(mine().map((e) => e.type), ['request', 'response']);
    for (const p of ['out', 'nothing']) assert.equal((await call(server, 'rotate-root', 'DELETE', `sys/audit/${p}`)).status, 204);
  });
});

describe('a server started from a configuration file', () => {
  let dir: string;
  let confDir: string;
  let dataDir: string;
  let configPath: string;
  let server: ProcessServer;
  let root = '';
  let unsealKey = '';

  const start = async () => {
    server = await startProcessServer({ args: [`-config=${configPath}`], address: `http://127.0.0.1:${port}` });
  };
  let port = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-audit-config-'));
    confDir = join(dir, 'conf');
    dataDir = join(dir, 'data');
    mkdirSync(confDir);
    mkdirSync(dataDir);
    port = await freePort();
    configPath = join(confDir, 'coffer.hcl');
    writeFileSync(configPath, `storage "sqlite" {\n  path = ${JSON.stringify(join(dataDir, 'coffer.db'))}\n}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\nlog_level = "warn"\nunsafe_allow_api_audit_creation = true\n`);
    await start();
    const init = await server.request('/v1/sys/init', { method: 'PUT', body: { secret_shares: 1, secret_threshold: 1 } });
    root = init.json.root_token;
    unsealKey = init.json.keys_base64[0];
    assert.equal((await server.request('/v1/sys/unseal', { method: 'PUT', body: { key: unsealKey } })).json.sealed, false);
  });
  after(async () => {
    await stopAllProcessServers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file device inside its storage or configuration directory, also through a symlink (400)', async () => {
    const link = join(dir, 'innocent');
    symlinkSync(dataDir, link);
    const targets = [join(dataDir, 'audit.log'), join(dataDir, 'coffer.db'), join(confDir, 'audit.log'), configPath, join(link, 'audit.log'), `${dataDir}/../data/x.log`];
    for (const file_path of targets) {
      const res = await call(server, root, 'PUT', 'sys/audit/sneaky', { type: 'file', options: { file_path } });
      assert.equal(res.status, 400, `${file_path}: ${res.status} ${res.text}`);
      assert.match(res.json.errors[0], /directory of the server itself/);
    }
    assert.deepEqual((await call(server, root, 'GET', 'sys/audit')).json.data, {});
  });

  it('keeps its devices and their salts across a restart', async () => {
    const log = join(dir, 'audit.log');
    assert.equal((await call(server, root, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: log } })).status, 204);
    const hash = (await call(server, root, 'POST', 'sys/audit-hash/file', { input: 'x' })).json.hash;
    await server.stop();
    await start();
    await server.request('/v1/sys/unseal', { method: 'PUT', body: { key: unsealKey } });
    assert.deepEqual(Object.keys((await call(server, root, 'GET', 'sys/audit')).json.data), ['file/']);
    assert.equal((await call(server, root, 'POST', 'sys/audit-hash/file', { input: 'x' })).json.hash, hash);
    const res = await call(server, root, 'GET', 'auth/token/lookup-self');
    assert.equal(readAuditLog(log).filter((l) => l.request.id === res.json.request_id).length, 2);
  });

  it('without unsafe_allow_api_audit_creation, refuses to enable devices (403, naming the setting) but still lists and disables them', async () => {
    await server.stop();
    writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('unsafe_allow_api_audit_creation = true\n', ''));
    await start();
    await server.request('/v1/sys/unseal', { method: 'PUT', body: { key: unsealKey } });
    const res = await call(server, root, 'PUT', 'sys/audit/another', { type: 'file', options: { file_path: join(dir, 'another.log') } });
    assert.equal(res.status, 403, res.text);
    assert.match(res.json.errors[0], /unsafe_allow_api_audit_creation = true/);
    assert.equal(existsSync(join(dir, 'another.log')), false);
    assert.deepEqual(Object.keys((await call(server, root, 'GET', 'sys/audit')).json.data), ['file/']);
    assert.equal((await call(server, root, 'DELETE', 'sys/audit/file')).status, 204);
    assert.deepEqual((await call(server, root, 'GET', 'sys/audit')).json.data, {});
  });
});
