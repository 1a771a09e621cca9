/**
 * lego's `exec` DNS provider calls its EXEC_PATH program as `present <fqdn> <value>` and
 * `cleanup <fqdn> <value>` (fqdn like "_acme-challenge.a.coffer.test."), or with
 * EXEC_MODE=RAW as `present -- <domain> <token> <key authorization>`. The scripts dnsmasq.ts
 * writes run this file with the harness's control URL first; it hands the call to the test
 * process, which owns dnsmasq, and exits 0 only once the record is served.
 */
import { createHash } from 'node:crypto';

const [control, action, ...rest] = process.argv.slice(2);

/** The record and value from either calling convention. */
function record(args: string[]): { fqdn: string; value: string } | undefined {
  if (args[0] === '--' && args.length === 4) {
    const [, domain, , keyAuthorization] = args as [string, string, string, string];
    return { fqdn: `_acme-challenge.${domain.replace(/^\*\./, '')}.`, value: createHash('sha256').update(keyAuthorization).digest('base64url') };
  }
  if (args.length === 2 && args[0]) return { fqdn: args[0], value: args[1]! };
  return undefined;
}

async function main(): Promise<number> {
  const r = record(rest);
  if (!control || (action !== 'present' && action !== 'cleanup') || !r) {
    process.stderr.write('usage: lego-dns-exec <control-url> present|cleanup <fqdn> <value>  |  present|cleanup -- <domain> <token> <key-authorization>\n');
    return 2;
  }
  const res = await fetch(`${control}/${action}`, { method: 'POST', body: JSON.stringify(r) });
  if (res.status !== 204) {
    process.stderr.write(`dnsmasq harness answered ${res.status}: ${await res.text()}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`lego-dns-exec: ${err.message}\n`);
    process.exit(1);
  },
);
