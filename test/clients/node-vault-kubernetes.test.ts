/** node-vault's Kubernetes helpers against a real dev server and the harness's TokenReview API. */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, nodeVaultTrust, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { startKubeApi, type KubeApi } from '../helpers/kube-api.js';

type Vault = Record<string, (...args: unknown[]) => Promise<Record<string, any>>> & { token: string };
const nodeVault = createRequire(import.meta.url)('node-vault') as (opts: Record<string, unknown>) => Vault;
const status = (code: number) => (err: Error & { response?: { statusCode: number } }) => err.response?.statusCode === code;

for (const scheme of SCHEMES) describe(`node-vault kubernetes against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  let kube: KubeApi;
  let vault: Vault;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
    kube = await startKubeApi();
    vault = nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address, token: t.rootToken });
  });
  after(async () => {
    await t.close();
    await kube.close();
  });

  it('enables the method, writes and reads a role, and logs a pod in with kubernetesLogin', async () => {
    await vault.enableAuth({ mount_point: 'kubernetes', type: 'kubernetes' });
    await vault.write('auth/kubernetes/config', { kubernetes_host: kube.host, kubernetes_ca_cert: kube.caCert, token_reviewer_jwt: kube.reviewerJwt });
    await vault.addPolicy({ name: 'nv-k8s', rules: 'path "secret/data/nv-k8s/*" { capabilities = ["read"] }' });
    await vault.write('secret/data/nv-k8s/app', { data: { k: 'v' } });
    // Its paths render the mount from the arguments (mount_point), not the client's
    // kubernetesPath. node-vault 0.12's addKubernetesRole throws before sending (its request schema has no
    // `properties`), against any server: the role is written the way its users do instead.
    await assert.rejects(vault.addKubernetesRole({ role_name: 'web' }), TypeError);
    await vault.write('auth/kubernetes/role/web', { bound_service_account_names: ['web'], bound_service_account_namespaces: ['shop'], policies: ['nv-k8s'], ttl: 300 });
    const role = (await vault.getKubernetesRole({ mount_point: 'kubernetes', role_name: 'web' })).data;
    assert.deepEqual(role.bound_service_account_names, ['web']);
    assert.deepEqual(role.policies, ['nv-k8s']);
    assert.equal(role.ttl, 300);

    const pod = nodeVault({ ...nodeVaultTrust(t), apiVersion: 'v1', endpoint: t.address });
    const login = await pod.kubernetesLogin({ mount_point: 'kubernetes', role: 'web', jwt: await kube.mint({ namespace: 'shop', name: 'web' }) });
    assert.equal(pod.token, login.auth.client_token, 'node-vault keeps the token of a login');
    assert.deepEqual((await pod.read('secret/data/nv-k8s/app')).data.data, { k: 'v' });
    await assert.rejects(pod.kubernetesLogin({ mount_point: 'kubernetes', role: 'web', jwt: await kube.mint({ namespace: 'other', name: 'web' }) }), status(403));
    await vault.deleteKubernetesRole({ mount_point: 'kubernetes', role_name: 'web' });
    await assert.rejects(vault.getKubernetesRole({ mount_point: 'kubernetes', role_name: 'web' }), status(404));
  });
});
