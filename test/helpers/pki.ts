/** What the PKI API tests share: a server with pki mounted, raw fetches for PEM/DER answers, and the real openssl. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTransit, type TransitTest } from './transit.js';

export { bad, ok } from './transit.js';

export interface PkiTest extends TransitTest {
  /** GET /v1/pki/<path> without a token; status, content type and bytes. */
  fetchRaw(path: string): Promise<{ status: number; type: string | null; body: Buffer }>;
  /** Writes `text` to a file in this test's temp folder; returns its path. */
  file(name: string, text: string | Buffer): string;
  dir: string;
}

export async function startPki(mount = 'pki'): Promise<PkiTest> {
  const x = await startTransit(mount);
  // startTransit mounted transit at `mount`: swap it for pki.
  ok204(await x.t.root.raw('DELETE', `sys/mounts/${mount}`));
  ok204(await x.t.root.raw('POST', `sys/mounts/${mount}`, { type: 'pki', config: { max_lease_ttl: '87600h' } }));
  const dir = mkdtempSync(join(tmpdir(), 'coffer-pki-'));
  return {
    ...x,
    dir,
    async fetchRaw(path) {
      const res = await fetch(`${x.t.address}/v1/${mount}/${path}`);
      return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
    },
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
  };
}

function ok204(res: { status: number; body: unknown }) {
  assert.ok(res.status === 204 || res.status === 200, JSON.stringify(res.body));
}

/** Runs the real openssl; returns its exit status and output. */
export function openssl(args: string[], input?: string): { status: number; out: string } {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
