/**
 * A throwaway DNS server for ACME tests: Debian's dnsmasq on 127.0.0.1:<free port>, serving
 * only what a test gives it (names and whole domains mapped to addresses, TXT records,
 * CNAMEs); every other name is NXDOMAIN and nothing is forwarded anywhere.
 *
 * dnsmasq reads its configuration only when it starts (SIGHUP reloads hosts files, not TXT
 * records), so each change rewrites the file and restarts it on the same port, then waits
 * until it answers with the new generation. A lego run changes records through its `exec`
 * DNS provider (`legoExecPath`), certbot through its manual hooks (`certbotHooks`): scripts
 * that forward `present|cleanup <fqdn> <value>` to this process over a loopback control
 * port (see lego-dns-exec.ts), so the client must be spawned asynchronously (not spawnSync)
 * while this process keeps its event loop running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './process-server.js';

const DNSMASQ = '/usr/sbin/dnsmasq';
/** A record the harness queries to know the restarted server carries the newest configuration. */
const GENERATION_RECORD = 'generation.coffer-dnsmasq.internal';

export interface TestDnsOptions {
  /** Domain → IPv4/IPv6 address; the domain and every name under it resolve to it. Default { 'coffer.test': '127.0.0.1' }. */
  addresses?: Record<string, string>;
}

export interface TestDns {
  /** "127.0.0.1:<port>": what ChallengeInput.dnsResolver, config/acme dns_resolver and lego's --dns.resolvers take. */
  resolver: string;
  port: number;
  /** Maps `domain` and every name under it to `address` (replacing an earlier mapping of it). */
  setAddress(domain: string, address: string): Promise<void>;
  /** Gives exactly `name` (not names under it) these addresses, at most one IPv4 and one IPv6 (dnsmasq's host-record). */
  setHost(name: string, addresses: string[]): Promise<void>;
  /** Replaces every TXT value at `name` (a trailing dot is ignored); no values removes the record. */
  setTxt(name: string, values: string[]): Promise<void>;
  addTxt(name: string, value: string): Promise<void>;
  removeTxt(name: string, value: string): Promise<void>;
  /** The TXT values the harness currently serves at `name`. */
  txt(name: string): string[];
  /** Makes `name` a CNAME for `target` (whose records this server must also hold). */
  setCname(name: string, target: string): Promise<void>;
  /**
   * An executable for lego's exec DNS provider: run lego with env EXEC_PATH=<this> and
   * `--dns exec --dns.resolvers <resolver> --dns.disable-cp`; its present/cleanup calls
   * add and remove TXT values here.
   */
  legoExecPath: string;
  /**
   * What a lego run needs for dns-01 here, tried with lego 4.9.1: its flags (exec provider,
   * this resolver, no authoritative-server check: those servers would be asked on port 53)
   * and its environment (the hook; 1 s polling and 1 s between domains instead of lego's
   * 60 s sequence interval).
   */
  lego: { args: string[]; env: Record<string, string> };
  /**
   * certbot's `--manual --preferred-challenges dns --manual-auth-hook <auth>
   * --manual-cleanup-hook <cleanup>`: the same, from CERTBOT_DOMAIN and CERTBOT_VALIDATION.
   */
  certbotHooks: { auth: string; cleanup: string };
  stop(): Promise<void>;
}

interface Records {
  addresses: Map<string, string>;
  hosts: Map<string, string[]>;
  txt: Map<string, string[]>;
  cnames: Map<string, string>;
}

const bare = (name: string) => name.replace(/\.$/, '').toLowerCase();

/** TXT records as dnsmasq lines: one record per value, a long value split in 255-byte character strings. */
function txtLines(name: string, values: string[]): string {
  return values
    .map((v) => {
      if (/["\\\n\r,]/.test(v)) throw new Error(`TXT value ${JSON.stringify(v)} has characters this harness does not quote`);
      const strings = v.match(/.{1,255}/g) ?? [''];
      return `txt-record=${name},${strings.map((part) => `"${part}"`).join(',')}`;
    })
    .join('\n');
}

function configText(records: Records, generation: number): string {
  return [
    'local=/#/', // every name not configured here is answered NXDOMAIN, never forwarded
    ...[...records.addresses].map(([domain, address]) => `address=/${domain}/${address}`),
    ...[...records.hosts].map(([name, addresses]) => `host-record=${name},${addresses.join(',')}`),
    ...[...records.cnames].map(([name, target]) => `cname=${name},${target}`),
    ...[...records.txt].map(([name, values]) => txtLines(name, values)),
    `txt-record=${GENERATION_RECORD},"${generation}"`,
    '',
  ].join('\n');
}

export async function startDnsmasq(options: TestDnsOptions = {}): Promise<TestDns> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-dnsmasq-'));
  const conf = join(dir, 'dnsmasq.conf');
  const records: Records = {
    addresses: new Map(Object.entries(options.addresses ?? { 'coffer.test': '127.0.0.1' }).map(([d, a]) => [bare(d), a])),
    hosts: new Map(),
    txt: new Map(),
    cnames: new Map(),
  };
  let generation = 0;
  let port = await freePort();
  let child: ChildProcess | undefined;
  let stderr = '';
  let stopped = false;

  const kill = () => {
    child?.kill('SIGKILL');
  };
  const onExit = () => {
    kill();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  async function launch(): Promise<void> {
    generation += 1;
    writeFileSync(conf, configText(records, generation));
    stderr = '';
    const proc = spawn(DNSMASQ, [
      '--no-daemon', '--no-resolv', '--no-hosts', `--conf-file=${conf}`,
      `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
      '--pid-file', // no pid file: this process owns the child
      '--cache-size=0',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child = proc;
    await waitUntilServing(proc);
  }

  async function waitUntilServing(proc: ChildProcess): Promise<void> {
    const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`dnsmasq exited (${proc.exitCode ?? proc.signalCode}): ${stderr.trim()}`);
      try {
        const answer = await resolver.resolveTxt(GENERATION_RECORD);
        if (answer.flat().join('') === String(generation)) return;
      } catch {
        // not listening yet, or the previous instance still answering
      }
      if (Date.now() > deadline) throw new Error(`dnsmasq did not answer on 127.0.0.1:${port}: ${stderr.trim()}`);
      await sleep(20);
    }
  }

  async function halt(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  }

  // Changes are applied one at a time, in order: each waits for the restart before it.
  let queue: Promise<void> = Promise.resolve();
  function change(edit: () => void): Promise<void> {
    const next = queue.then(async () => {
      if (stopped) throw new Error('dnsmasq harness is stopped');
      edit();
      await halt();
      await launch();
    });
    queue = next.catch(() => undefined);
    return next;
  }

  // The first start may lose a race for the port (freePort checks TCP, dnsmasq binds UDP too).
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt >= 3 || !/address in use/i.test(stderr)) {
        onExit();
        process.removeListener('exit', onExit);
        throw err;
      }
      port = await freePort();
    }
  }

  const control = await startControl({
    present: (name, value) => api.addTxt(name, value),
    cleanup: (name, value) => api.removeTxt(name, value),
  });
  const hook = `'${process.execPath}' '${join(dirname(fileURLToPath(import.meta.url)), 'lego-dns-exec.js')}' 'http://127.0.0.1:${control.port}'`;
  const script = (file: string, args: string) => {
    const path = join(dir, file);
    writeFileSync(path, `#!/bin/sh\nexec ${hook} ${args}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const legoExecPath = script('lego-dns-exec.sh', '"$@"');
  const certbotHooks = {
    auth: script('certbot-auth.sh', 'present "_acme-challenge.$CERTBOT_DOMAIN." "$CERTBOT_VALIDATION"'),
    cleanup: script('certbot-cleanup.sh', 'cleanup "_acme-challenge.$CERTBOT_DOMAIN." "$CERTBOT_VALIDATION"'),
  };

  const api: TestDns = {
    resolver: `127.0.0.1:${port}`,
    port,
    setAddress: (domain, address) => change(() => records.addresses.set(bare(domain), address)),
    setHost: (name, addresses) => change(() => records.hosts.set(bare(name), [...addresses])),
    setTxt: (name, values) =>
      change(() => {
        if (values.length === 0) records.txt.delete(bare(name));
        else records.txt.set(bare(name), [...values]);
      }),
    addTxt: (name, value) =>
      change(() => {
        const values = records.txt.get(bare(name)) ?? [];
        if (!values.includes(value)) records.txt.set(bare(name), [...values, value]);
      }),
    removeTxt: (name, value) =>
      change(() => {
        const values = (records.txt.get(bare(name)) ?? []).filter((v) => v !== value);
        if (values.length === 0) records.txt.delete(bare(name));
        else records.txt.set(bare(name), values);
      }),
    txt: (name) => [...(records.txt.get(bare(name)) ?? [])],
    setCname: (name, target) => change(() => records.cnames.set(bare(name), bare(target))),
    legoExecPath,
    lego: {
      args: ['--dns', 'exec', '--dns.resolvers', `127.0.0.1:${port}`, '--dns.disable-cp'],
      env: { EXEC_PATH: legoExecPath, EXEC_POLLING_INTERVAL: '1', EXEC_PROPAGATION_TIMEOUT: '30', EXEC_SEQUENCE_INTERVAL: '1' },
    },
    certbotHooks,
    async stop() {
      if (stopped) return;
      await queue;
      stopped = true;
      await new Promise<void>((resolve) => control.server.close(() => resolve()));
      await halt();
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return api;
}

/**
 * The loopback endpoint the lego hook calls: POST /present or /cleanup with
 * {"fqdn","value"}; answered 204 once dnsmasq serves the change.
 */
async function startControl(actions: Record<'present' | 'cleanup', (name: string, value: string) => Promise<void>>): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const action = req.url === '/present' ? actions.present : req.url === '/cleanup' ? actions.cleanup : undefined;
      let body: { fqdn?: unknown; value?: unknown } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      } catch {
        // answered 400 below
      }
      if (req.method !== 'POST' || !action || typeof body.fqdn !== 'string' || typeof body.value !== 'string') {
        res.writeHead(400).end('want POST /present or /cleanup with {"fqdn","value"}\n');
        return;
      }
      action(body.fqdn, body.value).then(
        () => res.writeHead(204).end(),
        (err: Error) => res.writeHead(500).end(`${err.message}\n`),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  server.unref(); // the harness must not keep a finished test process alive
  return { server, port: (server.address() as { port: number }).port };
}
