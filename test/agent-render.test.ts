/**
 * The agent's template runner against a real server: kv-v2 rendered to files with their
 * perms, changes picked up from the event stream within a second (or by polling when the
 * token may not subscribe), commands run once per change, write-form secrets, pkiCert's
 * reuse of a fresh certificate, short-lived certificates issued again, env templates, and
 * Vault Agent documentation examples rendered unchanged.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTemplateRunner, type TemplateRunner, type TemplateRunnerOptions } from '../src/agent/render/runner.js';
import { createLogical } from '../src/api/logical.js';
import { createLogger, type Logger } from '../src/logging/logger.js';
import { startDevServer, type TestServer } from './helpers/dev-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);

async function waitFor<T>(what: string, get: () => T | undefined | false, timeoutMs = 5000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A logger that keeps its lines, so tests can check nothing secret was logged. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'trace', write: (l) => lines.push(l) }), lines };
}

describe('agent template runner', () => {
  let t: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'coffer-agent-render-'));
  const runners: TemplateRunner[] = [];
  const logs: string[][] = [];
  let n = 0;
  const dest = (name: string) => join(dir, `${++n}-${name}`);

  function start(o: Partial<TemplateRunnerOptions> & Pick<TemplateRunnerOptions, 'templates'>): TemplateRunner {
    const { logger, lines } = recordingLogger();
    logs.push(lines);
    const r = startTemplateRunner({
      address: t.address,
      token: () => t.rootToken,
      envTemplates: [],
      staticSecretRenderIntervalMs: 60_000,
      exitOnRetryFailure: false,
      logger,
      ...o,
    });
    runners.push(r);
    return r;
  }
  const kvWrite = (path: string, data: Record<string, unknown>) => t.root.write(`secret/data/${path}`, { data });
  const tokenWith = async (name: string, policy: string) => {
    await t.root.write(`sys/policies/acl/${name}`, { policy });
    return (await t.root.write('auth/token/create', { policies: [name] }))!.auth!.client_token as string;
  };

  before(async () => {
    t = await startDevServer();
    await t.root.write('sys/mounts/transit', { type: 'transit' });
    await t.root.write('transit/keys/app', {});
    await t.root.write('sys/mounts/pki', { type: 'pki', config: { max_lease_ttl: '87600h' } });
    await t.root.write('pki/root/generate/internal', { common_name: 'Agent Test Root', ttl: '8760h' });
    // EC keys: issuing takes milliseconds, so a 3-second certificate leaves room to replace it.
    await t.root.write('pki/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '72h', key_type: 'ec', key_bits: 256 });
  });
  after(async () => {
    for (const r of runners) await r.stop();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders kv-v2 to a file with perms 0600 and re-renders within a second of a change (events)', async () => {
    await kvWrite('app/db', { username: 'app', password: 'first-pass-1' });
    const file = dest('db.env');
    const r = start({
      templates: [{ contents: '{{ with secret "secret/data/app/db" }}user={{ .Data.data.username }}\npass={{ .Data.data.password }}\n{{ end }}', destination: file, perms: 0o600 }],
    });
    await r.firstRender;
    assert.equal(read(file), 'user=app\npass=first-pass-1\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);

    for (const i of [2, 3, 4]) {
      const started = Date.now();
      await kvWrite('app/db', { username: 'app', password: `pass-${i}` });
      await waitFor(`pass-${i} in the file`, () => read(file)?.includes(`pass=pass-${i}`), 3000);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 1000, `file changed ${elapsed} ms after the write`);
    }
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('runs the command once per changed render, and not when the text is unchanged', async () => {
    await kvWrite('cmd', { password: 'c1', note: 'a' });
    const file = dest('cmd.txt');
    const counter = join(dir, 'cmd-count');
    const r = start({
      templates: [{ contents: '{{ (secret "secret/data/cmd").Data.data.password }}', destination: file, command: `echo ran >> ${counter}` }],
    });
    await r.firstRender;
    const runs = () => (read(counter) ?? '').split('\n').filter(Boolean).length;
    await waitFor('first command run', () => runs() === 1);
    await kvWrite('cmd', { password: 'c2', note: 'a' });
    await waitFor('second command run', () => runs() === 2);
    assert.equal(read(file), 'c2');
    const mtime = statSync(file).mtimeMs;
    // A new version whose rendered text is the same: no write, no command.
    await kvWrite('cmd', { password: 'c2', note: 'b' });
    await sleep(600);
    assert.equal(runs(), 2);
    assert.equal(statSync(file).mtimeMs, mtime);
  });

  it('runs an argv command and survives a failing one', async () => {
    await kvWrite('argv', { v: '1' });
    const ok = dest('argv-ok');
    const marker = join(dir, 'argv-marker');
    const failing = dest('argv-fail');
    const r = start({
      templates: [
        { contents: '{{ (secret "secret/data/argv").Data.data.v }}', destination: ok, command: ['/bin/sh', '-c', `echo "$0" > ${marker}`, 'argv0'] },
        { contents: '{{ (secret "secret/data/argv").Data.data.v }}', destination: failing, command: 'exit 3' },
      ],
    });
    await r.firstRender;
    await waitFor('argv command output', () => read(marker) === 'argv0\n');
    await kvWrite('argv', { v: '2' });
    await waitFor('both files at v2', () => read(ok) === '2' && read(failing) === '2');
  });

  it('kills a command that outlives its timeout, with its children, and logs it', async () => {
    await kvWrite('slow', { v: '1' });
    const pidFile = join(dir, 'slow.pid');
    const r = start({ templates: [{ contents: '{{ (secret "secret/data/slow").Data.data.v }}', destination: dest('slow'), command: `echo $$ > ${pidFile}; sleep 30`, commandTimeoutMs: 300 }] });
    const lines = logs[logs.length - 1]!;
    const started = Date.now();
    await r.firstRender;
    assert.ok(Date.now() - started < 5000);
    assert.ok(lines.some((l) => l.includes('template command failed') && l.includes('timed_out=true')), lines.join('\n'));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });

  it('falls back to polling when the token may not subscribe to events', async () => {
    const token = await tokenWith('agent-poll', 'path "secret/data/poll" { capabilities = ["read"] }');
    await kvWrite('poll', { v: 'one' });
    const file = dest('poll.txt');
    const r = start({ token: () => token, staticSecretRenderIntervalMs: 400, templates: [{ contents: '{{ (secret "secret/data/poll").Data.data.v }}', destination: file }] });
    await r.firstRender;
    assert.equal(read(file), 'one');
    const started = Date.now();
    await kvWrite('poll', { v: 'two' });
    await waitFor('polled change', () => read(file) === 'two', 3000);
    assert.ok(Date.now() - started < 2000, 'within a polling interval or so');
  });

  it('fails with file:line:col and writes nothing when error_on_missing_key meets a missing key', async () => {
    await kvWrite('strict', { present: 'yes' });
    const file = dest('strict.txt');
    let fatal: Error | undefined;
    const r = start({
      onFatal: (e) => (fatal = e),
      templates: [{ contents: '{{ with secret "secret/data/strict" }}\n{{ .Data.data.present }} {{ .Data.data.absent }}{{ end }}', destination: file, errorOnMissingKey: true }],
    });
    await assert.rejects(r.firstRender, /strict\.txt:2:29: map has no entry for key "absent"/);
    assert.match(fatal!.message, /map has no entry for key "absent"/);
    assert.equal(existsSync(file), false);

    const lenient = dest('lenient.txt');
    const r2 = start({ templates: [{ contents: '{{ with secret "secret/data/strict" }}{{ .Data.data.absent }}{{ end }}', destination: lenient }] });
    await r2.firstRender;
    assert.equal(read(lenient), '<no value>');
  });

  it('reports a template syntax error naming the source file, line and column', async () => {
    const src = join(dir, 'broken.ctmpl');
    writeFileSync(src, 'ok\n{{ nosuch "x" }}\n');
    let fatal: Error | undefined;
    const r = start({ onFatal: (e) => (fatal = e), templates: [{ source: src, destination: dest('broken') }] });
    await assert.rejects(r.firstRender, /broken\.ctmpl:2:4: function "nosuch" not defined/);
    assert.ok(fatal);
  });

  it('with exit_on_retry_failure, a secret the token may not read is fatal', async () => {
    const token = await tokenWith('agent-none', 'path "secret/data/other" { capabilities = ["read"] }');
    const file = dest('denied');
    let fatal: Error | undefined;
    const r = start({ token: () => token, exitOnRetryFailure: true, onFatal: (e) => (fatal = e), templates: [{ contents: '{{ (secret "secret/data/app/db").Data.data.password }}', destination: file }] });
    await assert.rejects(r.firstRender, /permission denied/);
    assert.ok(fatal);
    assert.equal(existsSync(file), false);
  });

  it('writes with secret "path" "k=v": transit encrypt, decryptable by the server', async () => {
    const file = dest('cipher');
    const plaintext = Buffer.from('agent plaintext').toString('base64');
    const r = start({ templates: [{ contents: `{{ with secret "transit/encrypt/app" "plaintext=${plaintext}" }}{{ .Data.ciphertext }}{{ end }}`, destination: file }] });
    await r.firstRender;
    const ciphertext = read(file)!;
    assert.match(ciphertext, /^vault:v1:/);
    const back = await t.root.write('transit/decrypt/app', { ciphertext });
    assert.equal(back!.data!.plaintext, plaintext);
  });

  it('issues a short-lived certificate with secret "pki/issue/…" and issues a new one before it expires', async () => {
    const file = dest('short.pem');
    const r = start({ templates: [{ contents: '{{ with secret "pki/issue/web" "common_name=short.example.com" "ttl=3s" }}{{ .Data.certificate }}{{ end }}', destination: file }] });
    await r.firstRender;
    const first = new X509Certificate(read(file)!);
    assert.match(first.subject, /CN=short\.example\.com/);
    const second = await waitFor('a new certificate', () => {
      const c = new X509Certificate(read(file)!);
      return c.serialNumber !== first.serialNumber ? c : undefined;
    }, 6000, 50);
    assert.ok(Date.parse(second.validTo) > Date.parse(first.validTo));
    // validTo has one-second granularity: the replacement lands by the end of the old one's last second.
    assert.ok(Date.now() < Date.parse(first.validTo) + 1000, 'the new certificate arrived before the old one expired');
  });

  it('pkiCert keeps a fresh certificate from its destination across restarts (Vault Agent docs example)', async () => {
    const file = dest('cert.pem');
    // The shape of the pkiCert example in Vault Agent's template documentation.
    const contents = '{{- with pkiCert "pki/issue/web" "common_name=foo.example.com" "ttl=1h" -}}\n{{ .Data.Cert }}\n{{ .Data.Key }}\n{{ .Data.CA }}\n{{- end -}}\n';
    const r1 = start({ templates: [{ contents, destination: file, perms: 0o600 }] });
    await r1.firstRender;
    await r1.stop();
    const text = read(file)!;
    assert.match(text, /BEGIN CERTIFICATE[\s\S]+PRIVATE KEY[\s\S]+BEGIN CERTIFICATE/);
    const serial = new X509Certificate(text).serialNumber;
    const listed = async () => ((await t.root.list('pki/certs'))!.data!.keys as string[]).length;
    const before = await listed();
    const r2 = start({ templates: [{ contents, destination: file, perms: 0o600 }] });
    await r2.firstRender;
    assert.equal(new X509Certificate(read(file)!).serialNumber, serial);
    assert.equal(await listed(), before, 'no certificate was issued on restart');
  });

  it('lists with secrets and renders Vault Agent documentation examples unchanged', async () => {
    await kvWrite('docs/config', { username: 'appuser', password: 'docs-pass', port: 5432 });
    await kvWrite('docs/extra', { a: '1' });
    const envFile = dest('app.env');
    const jsonFile = dest('app.json');
    const listFile = dest('list.txt');
    const r = start({
      templates: [
        { contents: '{{- with secret "secret/data/docs/config" }}\nexport DB_USER="{{ .Data.data.username }}"\nexport DB_PASS="{{ .Data.data.password }}"\n{{- end }}\n', destination: envFile },
        { contents: '{{ with secret "secret/data/docs/config" }}{{ .Data.data | toJSON }}{{ end }}', destination: jsonFile },
        { contents: '{{ range secrets "secret/metadata/docs/" }}{{ . }}\n{{ end }}', destination: listFile },
      ],
    });
    await r.firstRender;
    assert.equal(read(envFile), '\nexport DB_USER="appuser"\nexport DB_PASS="docs-pass"\n');
    assert.deepEqual(JSON.parse(read(jsonFile)!), { username: 'appuser', password: 'docs-pass', port: 5432 });
    assert.equal(read(listFile), 'config\nextra\n');
    await kvWrite('docs/zeta', { a: '1' });
    await waitFor('the list to grow', () => read(listFile) === 'config\nextra\nzeta\n', 3000);
  });

  it('accepts kv-v2 paths without data/ and metadata/, as consul-template does', async () => {
    await kvWrite('shim/one', { v: 'shimmed' });
    const file = dest('shim.txt');
    const r = start({ templates: [{ contents: '{{ (secret "secret/shim/one").Data.data.v }}|{{ range secrets "secret/shim" }}{{ . }}{{ end }}', destination: file }] });
    await r.firstRender;
    assert.equal(read(file), 'shimmed|one');
    await kvWrite('shim/one', { v: 'changed' });
    await waitFor('the shimmed path to follow events', () => read(file) === 'changed|one', 3000);
  });

  it('reads and lists secrets whose names hold a space or #, and ?version=N as consul-template parses it', async () => {
    const logical = createLogical(t.root);
    await logical.write('secret/data/odd/my app#1', { data: { v: 'first' } });
    await logical.write('secret/data/odd/my app#1', { data: { v: 'second' } });
    const file = dest('odd.txt');
    const r = start({
      templates: [{ contents: '{{ (secret "secret/odd/my app#1").Data.data.v }}|{{ (secret "secret/data/odd/my app#1?version=1").Data.data.v }}|{{ range secrets "secret/odd" }}{{ . }}{{ end }}', destination: file }],
    });
    await r.firstRender;
    assert.equal(read(file), 'second|first|my app#1');
  });

  it('waits for a secret that does not exist yet and renders once it is written', async () => {
    const file = dest('later.txt');
    const r = start({ templates: [{ contents: '{{ (secret "secret/data/later").Data.data.v }}', destination: file }] });
    await sleep(300);
    assert.equal(existsSync(file), false);
    await kvWrite('later', { v: 'arrived' });
    await r.firstRender;
    assert.equal(read(file), 'arrived');
  });

  it('renders env templates and calls onEnvChange once when they change together', async () => {
    await kvWrite('envs', { user: 'u1', pass: 'p1' });
    const changes: Record<string, string>[] = [];
    const r = start({
      templates: [],
      envTemplates: [
        { name: 'DB_USER', contents: '{{ with secret "secret/data/envs" }}{{ .Data.data.user }}{{ end }}' },
        { name: 'DB_PASS', contents: '{{ with secret "secret/data/envs" }}{{ .Data.data.pass }}{{ end }}' },
      ],
      onEnvChange: (env) => changes.push(env),
    });
    await r.firstRender;
    assert.deepEqual(r.env(), { DB_USER: 'u1', DB_PASS: 'p1' });
    assert.equal(changes.length, 0);
    await kvWrite('envs', { user: 'u2', pass: 'p2' });
    await waitFor('onEnvChange', () => changes.length > 0, 3000);
    await sleep(200);
    assert.deepEqual(changes, [{ DB_USER: 'u2', DB_PASS: 'p2' }]);
    assert.deepEqual(r.env(), { DB_USER: 'u2', DB_PASS: 'p2' });
  });

  it('never logs a token or a rendered secret value', () => {
    const all = logs.flat().join('\n');
    assert.ok(all.includes('rendered'), 'the runner logged its renders');
    for (const secret of [t.rootToken, 'first-pass-1', 'pass-4', 'docs-pass', 'PRIVATE KEY']) assert.ok(!all.includes(secret), `log holds ${secret.slice(0, 6)}…`);
  });
});
