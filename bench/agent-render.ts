/**
 * How fast the agent's template runner follows a secret: time from a kv-v2 write
 * (answered by the server) to the rendered file holding the new value, over N changes,
 * with the event stream and with polling at a 1 s interval (a token without the subscribe
 * capability, writes at random points of the interval); then the memory of a runner holding 100 templates, idle.
 * The server runs in its own process; the runner and the writer share this one.
 *   node --expose-gc dist/bench/agent-render.js [changes] [pollChanges]
 */
import { watch, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient } from '../src/api/client.js';
import { startTemplateRunner } from '../src/agent/render/runner.js';
import { silentLogger } from '../src/logging/logger.js';
import { startChild, stopChild } from './child.js';

const CHANGES = Number(process.argv[2] ?? 100);
const POLL_CHANGES = Number(process.argv[3] ?? 100);

const server = await startChild('coffer-server.js', ['inmem']);
const { address, token: rootToken } = server.info as { address: string; token: string };
const root = createApiClient({ address, token: rootToken });
const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-agent-'));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** Waits until `file` reads `want`, woken by inotify rather than a busy loop. */
function fileBecomes(file: string, want: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      let text: string | undefined;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return false;
      }
      return text === want;
    };
    if (check()) return resolve();
    const w = watch(dir, () => {
      if (check()) {
        w.close();
        resolve();
      }
    });
  });
}

async function measure(label: string, token: string, intervalMs: number, changes: number) {
  const path = `bench/${label}`;
  await root.write(`secret/data/${path}`, { data: { v: 'start' } });
  const file = join(dir, `${label}.txt`);
  const runner = startTemplateRunner({
    address,
    token: () => token,
    templates: [{ contents: `{{ with secret "secret/data/${path}" }}{{ .Data.data.v }}{{ end }}`, destination: file }],
    envTemplates: [],
    staticSecretRenderIntervalMs: intervalMs,
    exitOnRetryFailure: true,
    logger: silentLogger,
  });
  await runner.firstRender;
  const times: number[] = [];
  for (let i = 0; i < changes; i++) {
    const value = `v${i}`;
    // Writes in step with the poll would all wait a full interval: land them anywhere in it.
    if (intervalMs < 60_000) await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
    const started = performance.now();
    await root.write(`secret/data/${path}`, { data: { v: value } });
    await fileBecomes(file, value);
    times.push(performance.now() - started);
  }
  await runner.stop();
  const f = (x: number) => x.toFixed(1).padStart(8);
  console.log(`${label.padEnd(18)} changes=${String(changes).padStart(4)}  p50=${f(pct(times, 50))} ms  p99=${f(pct(times, 99))} ms  max=${f(Math.max(...times))} ms`);
}

async function idleMemory(templates: number) {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < templates; i++) await root.write(`secret/data/mem/s${i}`, { data: { user: `u${i}`, password: `p${i}-${'x'.repeat(32)}` } });
  gc?.();
  const before = process.memoryUsage();
  const runner = startTemplateRunner({
    address,
    token: () => rootToken,
    templates: Array.from({ length: templates }, (_, i) => ({
      contents: `{{ with secret "secret/data/mem/s${i}" }}user={{ .Data.data.user }}\npassword={{ .Data.data.password }}\n{{ end }}`,
      destination: join(dir, 'mem', `t${i}.env`),
      perms: 0o600,
    })),
    envTemplates: [],
    staticSecretRenderIntervalMs: 300_000,
    exitOnRetryFailure: true,
    logger: silentLogger,
  });
  await runner.firstRender;
  await new Promise((r) => setTimeout(r, 2000));
  gc?.();
  const after = process.memoryUsage();
  const mb = (x: number) => (x / 1024 / 1024).toFixed(1);
  console.log(`idle runner, ${templates} templates: heap +${mb(after.heapUsed - before.heapUsed)} MB (heapUsed ${mb(after.heapUsed)} MB), rss ${mb(after.rss)} MB${gc ? '' : ' (run with --expose-gc for steadier figures)'}`);
  await runner.stop();
}

try {
  await root.write('sys/policies/acl/bench-poll', { policy: 'path "secret/data/bench/*" { capabilities = ["read"] }' });
  const pollToken = (await root.write('auth/token/create', { policies: ['bench-poll'] }))!.auth!.client_token as string;
  await measure('events', rootToken, 300_000, CHANGES);
  await measure('polling-1s', pollToken, 1000, POLL_CHANGES);
  await idleMemory(100);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await stopChild(server);
}
