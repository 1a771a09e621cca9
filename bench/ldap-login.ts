/**
 * LDAP logins per second through Coffer (the ldap auth method, issue 22) against a throwaway
 * OpenLDAP, beside the directory's own rate measured in the same run at the same
 * concurrency: ldapts straight to slapd doing connect + bind + unbind (the floor of any
 * LDAP login), and the same with the group search a login makes. Run alone:
 * `node dist/bench/ldap-login.js`.
 *
 * Processes: this harness (setup), slapd (test/helpers/slapd.ts), the Coffer server
 * (coffer-server.js, in-memory storage), and the load generator (load.js) or the direct
 * ldapts workers (ldap-direct.js), one at a time.
 *
 * Env: BENCH_CONNECTIONS (16), BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_ROUNDS (2).
 */
import { cpus, loadavg } from 'node:os';
import { GROUPS_DN, PEOPLE_DN, startSlapd, USERS } from '../test/helpers/slapd.js';
import { apiCall } from './api-call.js';
import { startChild, stopChild } from './child.js';
import type { DirectLdapResult, DirectLdapSpec } from './ldap-direct.js';
import type { LoadResult, LoadSpec } from './load.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CONNECTIONS = env('BENCH_CONNECTIONS', 16);
const SECONDS = env('BENCH_SECONDS', 10);
const WARMUP = env('BENCH_WARMUP', 2);
const ROUNDS = env('BENCH_ROUNDS', 2);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at start; ${CONNECTIONS} connections, ${SECONDS} s per figure after ${WARMUP} s warm-up, ${ROUNDS} rounds`);

const ldap = await startSlapd();
const server = await startChild('coffer-server.js', ['inmem']);
const address: string = server.info.address;
const token: string = server.info.token;
const call = (method: string, path: string, body?: unknown) => apiCall(`${address}/v1/${path}`, method, token, body);
const userDn = `cn=alice,${PEOPLE_DN}`;
const groupFilter = `(|(memberUid=alice)(member=${userDn})(uniqueMember=${userDn}))`;

async function direct(groupSearch: boolean): Promise<DirectLdapResult> {
  const spec: DirectLdapSpec = {
    url: ldap.url, bindDn: userDn, password: USERS.alice, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP,
    ...(groupSearch ? { groupSearch: { base: GROUPS_DN, filter: groupFilter } } : {}),
  };
  const c = await startChild('ldap-direct.js', [JSON.stringify(spec)]);
  await c.exited;
  return c.info as DirectLdapResult;
}

try {
  await call('POST', 'sys/auth/ldap', { type: 'ldap' });
  await call('POST', 'auth/ldap/config', { url: ldap.url, userdn: PEOPLE_DN, groupdn: GROUPS_DN, token_ttl: '10m' });
  await call('POST', 'auth/ldap/groups/devs', { policies: 'dev' });
  // Logins issue tokens: lockout is irrelevant (all succeed) and in-memory storage keeps the
  // token writes from being the figure.
  for (let round = 1; round <= ROUNDS; round++) {
    const bind = await direct(false);
    console.log(`round ${round}: ldapts connect+bind+unbind, ${CONNECTIONS} conns        ${fmt(bind.rps).padStart(6)} ops/s  p50 ${fmt(bind.p50, 2)} ms  p99 ${fmt(bind.p99, 2)} ms${bind.errors ? `  ERRORS ${bind.errors}: ${bind.firstError}` : ''}`);
    const bindSearch = await direct(true);
    console.log(`round ${round}: ldapts connect+bind+group search, ${CONNECTIONS} conns ${fmt(bindSearch.rps).padStart(6)} ops/s  p50 ${fmt(bindSearch.p50, 2)} ms  p99 ${fmt(bindSearch.p99, 2)} ms${bindSearch.errors ? `  ERRORS ${bindSearch.errors}: ${bindSearch.firstError}` : ''}`);
    const spec: LoadSpec = {
      url: `${address}/v1/auth/ldap/login/alice`, method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: USERS.alice }), connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP, serverPid: server.child.pid,
    };
    const c = await startChild('load.js', [JSON.stringify(spec)]);
    await c.exited;
    const r = c.info as LoadResult;
    const cpuMs = r.serverCpu ? r.serverCpu.userMs + r.serverCpu.sysMs : undefined;
    const cpu = cpuMs !== undefined ? `, coffer ${fmt(cpuMs / (10 * r.seconds))}% cpu = ${fmt((cpuMs * 1000) / r.requests)} µs cpu/login` : '';
    const bad = r.non2xx + r.errors + r.timeouts;
    console.log(
      `round ${round}: coffer auth/ldap/login, ${CONNECTIONS} conns              ${fmt(r.rps).padStart(6)} req/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms${cpu}` +
        `  = ${fmt((100 * r.rps) / bindSearch.rps)}% of bind+search, ${fmt((100 * r.rps) / bind.rps)}% of bind` +
        (bad ? `  INVALID: non2xx ${r.non2xx} errors ${r.errors} ${JSON.stringify(r.statusCodes)}` : ''),
    );
    if (bad || bind.errors || bindSearch.errors) process.exitCode = 1;
  }
} finally {
  await stopChild(server);
  await ldap.stop();
}
