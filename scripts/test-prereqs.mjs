// What the test suite needs beyond npm packages, installed when missing: Debian's
// python3-hvac for the hvac compatibility tests, openssl to make test certificates,
// postgresql and mariadb-server for the database engine's tests (throwaway servers from their
// initdb and mariadb-install-db), lego, certbot and dnsmasq-base for the PKI engine's ACME, slapd and ldap-utils for LDAP auth. Runs as root on CI and fresh machines.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

function has(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

export function ensureTestPrerequisites() {
  const missing = [];
  if (!has('/usr/bin/python3', ['-c', 'import hvac'])) missing.push('python3-hvac');
  if (!has('openssl', ['version'])) missing.push('openssl');
  if (!hasPostgres()) missing.push('postgresql');
  if (!existsSync('/usr/sbin/mariadbd')) missing.push('mariadb-server');
  // ACME is tested with the real clients, names resolved by a throwaway dnsmasq (the -base
  // package: the binary alone, no system service taking port 53).
  if (!existsSync('/usr/bin/lego')) missing.push('lego');
  if (!existsSync('/usr/bin/certbot')) missing.push('certbot');
  if (!existsSync('/usr/sbin/dnsmasq')) missing.push('dnsmasq-base');
  // LDAP auth is tested against a throwaway OpenLDAP with its own config in a temp dir.
  if (!existsSync('/usr/sbin/slapd')) missing.push('slapd');
  if (!existsSync('/usr/bin/ldapadd')) missing.push('ldap-utils');
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`missing test prerequisites: ${missing.join(', ')}; install them with apt-get (needs root)`);
    process.exit(1);
  }
  console.error(`installing test prerequisites: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

/** Debian's postgresql packages put initdb under /usr/lib/postgresql/<version>/bin. */
function hasPostgres() {
  const base = '/usr/lib/postgresql';
  return existsSync(base) && readdirSync(base).some((v) => existsSync(`${base}/${v}/bin/initdb`));
}
