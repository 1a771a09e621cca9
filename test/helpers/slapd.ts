/**
 * A throwaway OpenLDAP for tests: Debian's slapd with its own cn=config (slapadd -n0 of an
 * LDIF: an mdb database, the dynlist overlay giving users a nested `memberOf`, a test schema
 * with `userPrincipalName`), a CA and server certificate made with openssl, listening on free
 * loopback ports for ldap:// (StartTLS too) and ldaps://. The directory is loaded with ldapadd
 * (`DIRECTORY_LDIF`: people, groups, a nested group) and everything is removed by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './process-server.js';

export const BASE_DN = 'dc=example,dc=org';
export const PEOPLE_DN = `ou=people,${BASE_DN}`;
export const GROUPS_DN = `ou=groups,${BASE_DN}`;
export const ADMIN_DN = `cn=admin,${BASE_DN}`;

/** Users of DIRECTORY_LDIF, by cn, with their passwords. */
export const USERS = {
  alice: 'alice-pw-1',
  bob: 'bob-pw-2',
  'doe, john': 'doe-pw-3',
  carol: 'carol-pw-4',
} as const;

export interface TestSlapd {
  /** ldap:// url (StartTLS offered) */
  url: string;
  /** ldaps:// url */
  ldapsUrl: string;
  port: number;
  ldapsPort: number;
  /** The test CA's certificate (PEM): what Coffer's `certificate` field takes. */
  caPem: string;
  /** A client certificate and key (PEM) issued by the test CA. */
  clientCert: string;
  clientKey: string;
  /** The root DN's password (ADMIN_DN). */
  adminPassword: string;
  /** The BIND operations slapd has seen so far (with `logOperations`): DN and result code. */
  binds(): { dn: string; result: number }[];
  /** Runs ldapadd/ldapmodify as the root DN with an LDIF. */
  ldapModify(ldif: string, add?: boolean): void;
  stop(): Promise<void>;
}

const ldif = (lines: string[]) => lines.join('\n') + '\n';

function configLdif(dir: string, adminPassword: string, requireClientCert: boolean): string {
  return [
    ldif([
      'dn: cn=config', 'objectClass: olcGlobal', 'cn: config', `olcPidFile: ${dir}/slapd.pid`,
      `olcTLSCACertificateFile: ${dir}/ca.pem`, `olcTLSCertificateFile: ${dir}/server.pem`, `olcTLSCertificateKeyFile: ${dir}/server.key`,
      // Accept a simple bind with a DN and no password as an anonymous success, as Active
      // Directory and many servers do: what a client must never send for a login.
      'olcAllows: bind_anon_dn',
      ...(requireClientCert ? ['olcTLSVerifyClient: demand'] : []),
    ]),
    ldif(['dn: cn=module{0},cn=config', 'objectClass: olcModuleList', 'cn: module{0}', 'olcModulePath: /usr/lib/ldap', 'olcModuleLoad: back_mdb', 'olcModuleLoad: memberof', 'olcModuleLoad: dynlist']),
    ldif(['dn: cn=schema,cn=config', 'objectClass: olcSchemaConfig', 'cn: schema']),
    ...['core', 'cosine', 'nis', 'inetorgperson', 'dyngroup'].map((s) => readFileSync(`/etc/ldap/schema/${s}.ldif`, 'utf8').replace(/^dn: cn=([a-z]+),cn=schema,cn=config$/m, 'dn: cn=$1,cn=schema,cn=config') + '\n'),
    ldif([
      'dn: cn=coffertest,cn=schema,cn=config', 'objectClass: olcSchemaConfig', 'cn: coffertest',
      "olcAttributeTypes: ( 1.3.6.1.4.1.99999.1.1 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
      "olcObjectClasses: ( 1.3.6.1.4.1.99999.2.1 NAME 'cofferTestUser' SUP top AUXILIARY MAY ( userPrincipalName ) )",
    ]),
    ldif(['dn: olcDatabase={-1}frontend,cn=config', 'objectClass: olcDatabaseConfig', 'objectClass: olcFrontendConfig', 'olcDatabase: {-1}frontend']),
    ldif(['dn: olcDatabase={0}config,cn=config', 'objectClass: olcDatabaseConfig', 'olcDatabase: {0}config', 'olcAccess: {0}to * by * none']),
    ldif([
      'dn: olcDatabase={1}mdb,cn=config', 'objectClass: olcDatabaseConfig', 'objectClass: olcMdbConfig', 'olcDatabase: {1}mdb',
      `olcSuffix: ${BASE_DN}`, `olcRootDN: ${ADMIN_DN}`, `olcRootPW: ${adminPassword}`, `olcDbDirectory: ${dir}/data`,
      'olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none',
      'olcAccess: {1}to * by * read',
    ]),
    ldif([
      'dn: olcOverlay={0}dynlist,olcDatabase={1}mdb,cn=config', 'objectClass: olcOverlayConfig', 'objectClass: olcDynListConfig', 'olcOverlay: {0}dynlist',
      // memberOf for members of static groups, following groups inside groups.
      'olcDynListAttrSet: {0}groupOfURLs memberURL member+memberOf@groupOfNames*',
    ]),
  ].join('\n');
}

const person = (cn: string, dnCn: string, ou: string, password: string, extra: string[] = []) =>
  ldif([`dn: cn=${dnCn},${ou}`, 'objectClass: inetOrgPerson', 'objectClass: cofferTestUser', `cn: ${cn}`, `sn: ${cn}`, `uid: ${cn.replace(/[^a-z]/g, '')}`, `userPassword: ${password}`, ...extra]);

/** People, groups (groupOfNames with a nested one, a posixGroup) and a duplicated name. */
export const DIRECTORY_LDIF = [
  ldif([`dn: ${BASE_DN}`, 'objectClass: dcObject', 'objectClass: organization', 'o: Example', 'dc: example']),
  ldif([`dn: ${PEOPLE_DN}`, 'objectClass: organizationalUnit', 'ou: people']),
  ldif([`dn: ou=contractors,${PEOPLE_DN}`, 'objectClass: organizationalUnit', 'ou: contractors']),
  ldif([`dn: ${GROUPS_DN}`, 'objectClass: organizationalUnit', 'ou: groups']),
  person('alice', 'alice', PEOPLE_DN, USERS.alice, ['userPrincipalName: alice@example.org', 'mail: alice@example.org']),
  person('bob', 'bob', PEOPLE_DN, USERS.bob, ['userPrincipalName: bob@example.org']),
  person('doe, john', 'doe\\, john', PEOPLE_DN, USERS['doe, john']),
  // Two entries named carol: a login as carol must be refused, not given either one.
  person('carol', 'carol', PEOPLE_DN, USERS.carol),
  person('carol', 'carol', `ou=contractors,${PEOPLE_DN}`, USERS.carol),
  ldif([`dn: cn=devs,${GROUPS_DN}`, 'objectClass: groupOfNames', 'cn: devs', `member: cn=alice,${PEOPLE_DN}`]),
  ldif([`dn: cn=engineering,${GROUPS_DN}`, 'objectClass: groupOfNames', 'cn: engineering', `member: cn=devs,${GROUPS_DN}`]),
  ldif([`dn: cn=admins,${GROUPS_DN}`, 'objectClass: groupOfNames', 'cn: admins', `member: cn=bob,${PEOPLE_DN}`]),
  ldif([`dn: cn=ops,${GROUPS_DN}`, 'objectClass: posixGroup', 'cn: ops', 'gidNumber: 5000', 'memberUid: alice']),
].join('\n');

function makeCertificates(dir: string): void {
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
  run(['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Coffer test LDAP CA']);
  run(['req', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf']);
  run(['req', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=coffer']);
  writeFileSync(join(dir, 'client.cnf'), 'extendedKeyUsage=clientAuth\n');
  run(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '1', '-extfile', 'client.cnf']);
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`slapd did not start: ${stderr().slice(-2000)}`);
    await sleep(50);
  }
}

export interface StartSlapdOptions {
  /** Run slapd with `-d stats` and keep its log, so tests can see which binds reached it. */
  logOperations?: boolean;
  /** TLS sessions (LDAPS, StartTLS) must present a client certificate from the test CA. */
  requireClientCert?: boolean;
}

/** Each BIND of slapd's stats log with its result, matched by connection and operation number. */
function parseBinds(log: string): { dn: string; result: number }[] {
  const pending = new Map<string, string>();
  const out: { dn: string; result: number }[] = [];
  for (const line of log.split('\n')) {
    const bind = /(conn=\d+ op=\d+) BIND dn="([^"]*)" method=128/.exec(line);
    if (bind) {
      pending.set(bind[1]!, bind[2]!);
      continue;
    }
    const result = /(conn=\d+ op=\d+) RESULT tag=97 err=(\d+)/.exec(line);
    if (result && pending.has(result[1]!)) {
      out.push({ dn: pending.get(result[1]!)!, result: Number(result[2]) });
      pending.delete(result[1]!);
    }
  }
  return out;
}

export async function startSlapd(opts: StartSlapdOptions = {}): Promise<TestSlapd> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-slapd-'));
  mkdirSync(join(dir, 'slapd.d'));
  mkdirSync(join(dir, 'data'));
  const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
  makeCertificates(dir);
  writeFileSync(join(dir, 'config.ldif'), configLdif(dir, adminPassword, opts.requireClientCert ?? false));
  execFileSync('slapadd', ['-n0', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'config.ldif')], { stdio: 'pipe' });
  const port = await freePort();
  const ldapsPort = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
  const child = spawn('slapd', ['-d', opts.logOperations ? 'stats' : '0', '-F', join(dir, 'slapd.d'), '-h', `${url}/ ${ldapsUrl}/`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (opts.logOperations || stderr.length < 100_000) stderr += d.toString();
  });
  const cleanup = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  try {
    await waitForPort(port, child, () => stderr);
    await waitForPort(ldapsPort, child, () => stderr);
  } catch (err) {
    cleanup();
    throw err;
  }
  const ldapModify = (text: string, add = true) => {
    execFileSync(add ? 'ldapadd' : 'ldapmodify', ['-x', '-H', url, '-D', ADMIN_DN, '-w', adminPassword], { input: text, stdio: ['pipe', 'pipe', 'pipe'] });
  };
  ldapModify(DIRECTORY_LDIF);
  return {
    url,
    ldapsUrl,
    port,
    ldapsPort,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    clientCert: readFileSync(join(dir, 'client.pem'), 'utf8'),
    clientKey: readFileSync(join(dir, 'client.key'), 'utf8'),
    adminPassword,
    binds: () => parseBinds(stderr),
    ldapModify,
    async stop() {
      process.removeListener('exit', cleanup);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
      }
      cleanup();
    },
  };
}
