/**
 * What the lego and certbot tests share: a pki mount with ACME on, names under coffer.test
 * resolving to 127.0.0.1 through a throwaway dnsmasq, and the real clients run as child
 * processes (asynchronously: the server under test lives in this process).
 */
import { spawn } from 'node:child_process';
import { startDnsmasq, type TestDns } from './dnsmasq.js';
import { startPki, type PkiTest } from './pki.js';

export interface AcmeToolsTest extends PkiTest {
  dns: TestDns;
  /** The default directory's URL. */
  directory: string;
  /** PEM file of the mount's root. */
  caFile: string;
  close(): Promise<void>;
}

export async function startAcmeMount(): Promise<AcmeToolsTest> {
  const x = await startPki();
  const caFile = x.file('ca.pem', (await x.write('root/generate/internal', { common_name: 'Coffer ACME Root', ttl: '8760h', key_type: 'ec' })).certificate);
  const dns = await startDnsmasq({ addresses: { 'coffer.test': '127.0.0.1' } });
  await x.write('config/cluster', { path: `${x.t.address}/v1/pki` });
  await x.write('config/acme', { enabled: true, dns_resolver: dns.resolver });
  return {
    ...x,
    dns,
    caFile,
    directory: `${x.t.address}/v1/pki/acme/directory`,
    async close() {
      await dns.stop();
      await x.t.close();
    },
  };
}

export interface ToolRun {
  code: number;
  out: string;
}

export function runTool(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 45_000): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}
