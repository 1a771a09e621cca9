/**
 * Identity tokens (GET identity/oidc/token/:role) through core.handle (no HTTP, no audit),
 * for an ES256 and an RS256 key, beside the floor: the same claims signed directly with jose
 * and a WebCrypto key in the same run. The gap is what Coffer adds per token (routing,
 * ACL, reading the role and key, rendering the template); a plain read of oidc/config on the
 * same mount shows the part any request pays. Run alone:
 *   node dist/bench/oidc-token.js [count]
 */
import { generateKeyPair, SignJWT } from 'jose';
import { silentLogger } from '../src/logging/logger.js';
import { devConfig } from '../src/server/server-config.js';
import { startServer } from '../src/server/start-server.js';

const COUNT = Number(process.argv[2] ?? 5000);
const CONCURRENCY = 8;
const server = await startServer({ ...devConfig('127.0.0.1:0'), logLevel: 'off' }, {}, silentLogger, {});
const { core } = server;
const root = server.dev!.rootToken;
const call = async (operation: 'read' | 'update', path: string, data: Record<string, unknown> = {}, token = root) => {
  const res = await core.handle({ id: 'bench', operation, path, data, clientToken: token, headers: {} });
  if ((res.status ?? 200) >= 400) throw new Error(`${path}: ${JSON.stringify(res)}`);
  return res;
};

await call('update', 'sys/auth/userpass', { type: 'userpass' });
await call('update', 'sys/policies/acl/oidc', { policy: 'path "identity/oidc/token/*" { capabilities = ["read"] }' });
await call('update', 'auth/userpass/users/bench', { password: 'pw', token_policies: 'oidc' });
const user = (await call('update', 'auth/userpass/login/bench', { password: 'pw' })).authBlock!.client_token;

async function timed(fn: () => Promise<unknown>): Promise<{ perSec: number; cpuUs: number }> {
  let next = 0;
  const worker = async () => {
    while (next++ < COUNT) await fn();
  };
  await fn();
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { perSec: Math.round((COUNT / ms) * 1000), cpuUs: Math.round((cpu.user + cpu.system) / COUNT) };
}

// What any request to the mount costs (token lookup, ACL, routing): oidc/config reads one small record.
await call('update', 'sys/policies/acl/oidc', { policy: 'path "identity/oidc/*" { capabilities = ["read"] }' });
const plain = await timed(() => call('read', 'identity/oidc/config', {}, user));
console.log(`identity/oidc/config read (request floor): ${plain.perSec} reads/s (${plain.cpuUs} µs CPU each)`);

for (const alg of ['ES256', 'RS256'] as const) {
  const name = alg.toLowerCase();
  await call('update', `identity/oidc/key/${name}`, { algorithm: alg, allowed_client_ids: '*' });
  await call('update', `identity/oidc/role/${name}`, { key: name, ttl: '1h', template: '{"name": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}}' });
  const coffer = await timed(() => call('read', `identity/oidc/token/${name}`, {}, user));

  const { privateKey } = await generateKeyPair(alg);
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'http://127.0.0.1:8200/v1/identity/oidc', sub: 'a-uuid', aud: 'client', iat: now, exp: now + 3600, namespace: 'root', name: 'entity_x', groups: [] };
  const floor = await timed(() => new SignJWT(claims).setProtectedHeader({ alg, kid: 'k', typ: 'JWT' }).sign(privateKey));
  console.log(
    `identity/oidc/token, ${alg}: ${coffer.perSec} tokens/s (${coffer.cpuUs} µs CPU each) | jose alone: ${floor.perSec} signs/s (${floor.cpuUs} µs CPU each) | ratio ${(coffer.perSec / floor.perSec).toFixed(2)}`,
  );
}
await server.close();
