/**
 * The auto-unseal key provider of `seal "transit"`: another Coffer's (or Vault's) transit
 * engine encrypts and decrypts this server's unseal key under a named key. Coffer only ever
 * sends the unseal key to it and gets it back; the transit key never leaves that server.
 */
import { readFileSync } from 'node:fs';
import { ApiError, createApiClient, type ApiClient } from '../api/client.js';
import type { KeyProvider } from './auto-unseal.js';

export interface TransitSealConfig {
  /** e.g. `https://kms.example.com:8200` */
  address: string;
  token: string;
  keyName: string;
  /** The transit mount, e.g. `transit/`. */
  mountPath: string;
  namespace?: string;
  tlsCaCert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
  tlsServerName?: string;
  tlsSkipVerify?: boolean;
}

const readPem = (file: string | undefined, what: string): Buffer | undefined => {
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`seal "transit": cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
};

function reasonOf(err: unknown): string {
  if (err instanceof ApiError) return `${err.status} ${err.errors.join('; ') || 'error'}`;
  return err instanceof Error ? err.message : String(err);
}

export function transitProvider(cfg: TransitSealConfig): KeyProvider {
  const tlsGiven = cfg.tlsCaCert || cfg.tlsClientCert || cfg.tlsServerName || cfg.tlsSkipVerify;
  const client: ApiClient = createApiClient({
    address: cfg.address,
    token: cfg.token,
    namespace: cfg.namespace,
    tls: tlsGiven
      ? {
          ca: readPem(cfg.tlsCaCert, 'tls_ca_cert'),
          cert: readPem(cfg.tlsClientCert, 'tls_client_cert'),
          key: readPem(cfg.tlsClientKey, 'tls_client_key'),
          serverName: cfg.tlsServerName,
          skipVerify: cfg.tlsSkipVerify,
        }
      : undefined,
  });
  const mount = cfg.mountPath.replace(/^\/+|\/+$/g, '');
  const key = encodeURIComponent(cfg.keyName);
  const call = async (op: 'encrypt' | 'decrypt', body: Record<string, string>): Promise<Record<string, unknown>> => {
    let res;
    try {
      res = await client.write(`${mount}/${op}/${key}`, body);
    } catch (err) {
      throw new Error(reasonOf(err));
    }
    const data = res?.data;
    if (!data) throw new Error(`the transit server answered ${op} without data`);
    return data;
  };
  return {
    type: 'transit',
    describe: () => `key "${cfg.keyName}" at ${cfg.address.replace(/\/+$/, '')}/v1/${mount}`,
    async encrypt(plaintext) {
      const data = await call('encrypt', { plaintext: plaintext.toString('base64') });
      if (typeof data.ciphertext !== 'string' || !data.ciphertext.startsWith('vault:')) throw new Error('the transit server answered encrypt without a ciphertext');
      return data.ciphertext;
    },
    async decrypt(ciphertext) {
      const data = await call('decrypt', { ciphertext });
      if (typeof data.plaintext !== 'string') throw new Error('the transit server answered decrypt without a plaintext');
      return Buffer.from(data.plaintext, 'base64');
    },
  };
}
