/**
 * lego's `exec` DNS provider calls its EXEC_PATH program as `present <fqdn> <value>` and
 * `cleanup <fqdn> <value>` (fqdn like "_acme-challenge.a.coffer.test."). The script
 * dnsmasq.ts writes runs this file with the harness's control URL first; it hands the call
 * to the test process, which owns dnsmasq, and exits 0 only once the record is served.
 */
const [control, action, fqdn, value] = process.argv.slice(2);

async function main(): Promise<number> {
  if (!control || (action !== 'present' && action !== 'cleanup') || !fqdn || value === undefined) {
    process.stderr.write('usage: lego-dns-exec <control-url> present|cleanup <fqdn> <value>\n');
    return 2;
  }
  const res = await fetch(`${control}/${action}`, { method: 'POST', body: JSON.stringify({ fqdn, value }) });
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
