import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { startKubeApi, type KubeApi } from '../helpers/kube-api.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac auth.kubernetes against a real dev server and a test TokenReview API over ${scheme}`, () => {
  let t: TestServer;
  let kube: KubeApi;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
    kube = await startKubeApi();
  });
  after(async () => {
    await t.close();
    await kube.close();
  });

  it('configures, creates roles and logs in through client.auth.kubernetes', async () => {
    const good = await kube.mint({ namespace: 'shop', name: 'app' });
    const stranger = await kube.mint({ namespace: 'other', name: 'app' });
    const { code, out } = await runHvacScript('hvac_kubernetes.py', [t.address, t.rootToken, kube.host, kube.caCert, kube.reviewerJwt, good, stranger], trustEnv(t));
    assert.equal(code, 0, out);
    assert.match(out, /ok hvac kubernetes/);
  });
});
