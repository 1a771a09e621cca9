/**
 * Static database roles across kill -9: a server on SQLite storage is killed with SIGKILL
 * while clients rotate the passwords of real PostgreSQL users over and over. A rotation
 * changes two places, the database and our storage, and no transaction spans both; the
 * engine stores the new password as pending first, so whatever instant the kill lands on,
 * the restarted server must end up handing out, for every role, a password that logs in.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanUpDurableServers, client, initialize, killHard, sqliteConfig, startDurable, unseal, type Call } from './helpers/durable-server.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';

const ROLES = 8;
const ROTATORS_PER_ROLE = 2;
const RUN_FOR_MS = 1500;

let pg: TestPostgres | undefined;
after(async () => {
  await cleanUpDurableServers();
  await pg?.stop();
});

describe('durability: SIGKILL during static role rotations (sqlite storage, real PostgreSQL)', () => {
  it('comes back with a stored password that logs in, for every role', async () => {
    pg = await startPostgres();
    const adminPassword = 'admin-pw';
    await pg.query(`CREATE ROLE coffer_admin WITH LOGIN SUPERUSER PASSWORD '${adminPassword}'`);
    const names = Array.from({ length: ROLES }, (_, i) => `static_user_${i}`);
    for (const name of names) await pg.query(`CREATE ROLE ${name} WITH LOGIN PASSWORD 'initial-${name}'`);

    const cfg = await sqliteConfig();
    let server = await startDurable(cfg);
    const { keys, rootToken } = await initialize(server, 1, 1);
    await unseal(server, keys);
    const root = client(server, rootToken);
    assert.equal((await root('POST', 'sys/mounts/database', { type: 'database' })).status, 204);
    const config = await root('POST', 'database/config/pg', {
      plugin_name: 'postgresql-database-plugin', connection_url: pg.url(), username: 'coffer_admin', password: adminPassword, allowed_roles: '*',
    });
    assert.ok(config.status < 300, config.text);
    for (const name of names) {
      const res = await root('POST', `database/static-roles/${name}`, { db_name: 'pg', username: name, rotation_period: '24h' });
      assert.ok(res.status < 300, res.text);
    }

    const agent = new http.Agent({ keepAlive: true, maxSockets: ROLES * ROTATORS_PER_ROLE });
    const call = client(server, rootToken, agent);
    const attempt = async (...args: Parameters<Call>) => {
      try {
        return await call(...args);
      } catch {
        return null; // the server died mid-request: neither a success nor a failure
      }
    };
    let stopping = false;
    let acknowledged = 0;
    const unexpected: string[] = [];
    const rotator = async (name: string) => {
      while (!stopping) {
        const res = await attempt('POST', `database/rotate-role/${name}`);
        if (!res) return;
        if (res.status === 204 || res.status === 200) acknowledged++;
        else unexpected.push(`${name}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    };
    const workers = names.flatMap((name) => Array.from({ length: ROTATORS_PER_ROLE }, () => rotator(name)));
    await sleep(RUN_FOR_MS);
    await killHard(server);
    stopping = true;
    await Promise.all(workers);
    agent.destroy();
    // Two rotators of one role at once may be told to wait or retry; anything else is a bug.
    assert.deepEqual(unexpected.filter((u) => !/ 4(09|29) /.test(u)), [], 'only acknowledged or busy answers before the kill');
    assert.ok(acknowledged >= ROLES, `only ${acknowledged} rotations were acknowledged before the kill`);

    server = await startDurable(cfg);
    await unseal(server, keys);
    const after = client(server, rootToken);
    for (const name of names) {
      let last = '';
      const deadline = Date.now() + 20_000;
      for (;;) {
        const res = await after('GET', `database/static-creds/${name}`);
        if (res.status === 200) {
          const login = await pg.login(name, res.json.data.password as string);
          if (login.ok) break;
          last = `the stored password is refused: ${login.error}`;
        } else {
          last = `${res.status} ${res.text.slice(0, 200)}`;
        }
        // A rotation left pending by the kill is finished by the restarted server.
        if (Date.now() > deadline) assert.fail(`${name}: no working password after the restart (${last})`);
        await sleep(200);
      }
    }
    console.log(`durability database: ${acknowledged} rotations acknowledged over ${RUN_FOR_MS} ms before the kill; every one of ${ROLES} roles logs in after the restart`);
  });
});
