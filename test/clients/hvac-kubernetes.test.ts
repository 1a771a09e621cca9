import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { startKubeApi, type KubeApi } from '../helpers/kube-api.js';
import { pythonWithHvac } from './python.js';

const script = fileURLToPath(new URL('../../../test/clients/hvac_kubernetes.py', import.meta.url));

describe('hvac auth.kubernetes against a real dev server and a test TokenReview API', () => {
  let t: TestServer;
  let kube: KubeApi;
  before(async () => {
    t = await startDevServer();
    kube = await startKubeApi();
  });
  after(async () => {
    await t.close();
    await kube.close();
  });

  it('configures, creates roles and logs in through client.auth.kubernetes', async () => {
    const good = await kube.mint({ namespace: 'shop', name: 'app' });
    const stranger = await kube.mint({ namespace: 'other', name: 'app' });
    const args = [script, t.address, t.rootToken, kube.host, kube.caCert, kube.reviewerJwt, good, stranger];
    const child = spawn(pythonWithHvac(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    assert.equal(code, 0, out);
    assert.match(out, /ok hvac kubernetes/);
  });
});
