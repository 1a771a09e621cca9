/**
 * The `seal` stanza of a server configuration. Only `seal "transit"` exists; it can also be
 * set up from the environment, under the names Vault's transit seal reads: VAULT_SEAL_TYPE=transit
 * without a block turns it on, and each setting missing from the block comes from its variable
 * (VAULT_ADDR, VAULT_TOKEN, VAULT_TRANSIT_SEAL_KEY_NAME, …). A value in the file wins over the
 * environment, where Vault lets the environment win: an operator's VAULT_ADDR, set so the CLI
 * on the same host talks to this server, must not silently point the seal somewhere else.
 */
import type { TransitSealConfig } from '../seal/transit-provider.js';
import type { ServerConfig } from './server-config.js';

export type Env = Record<string, string | undefined>;

/** What the caller's file readers (config-file.ts) give this module. */
export interface SealReaders {
  fail(message: string): never;
  str(value: unknown, name: string): string | undefined;
  bool(value: unknown, name: string): boolean;
}

interface SealBlock {
  labels: string[];
  body: Record<string, unknown>;
}

/** Each setting's environment variables, as Vault names them; VAULT_TRANSIT_SEAL_TOKEN, Coffer's own, is read first. */
const ENV_NAMES = {
  address: ['VAULT_ADDR'],
  token: ['VAULT_TRANSIT_SEAL_TOKEN', 'VAULT_TOKEN'],
  key_name: ['VAULT_TRANSIT_SEAL_KEY_NAME'],
  mount_path: ['VAULT_TRANSIT_SEAL_MOUNT_PATH'],
  namespace: ['VAULT_NAMESPACE'],
  tls_ca_cert: ['VAULT_CACERT'],
  tls_client_cert: ['VAULT_CLIENT_CERT'],
  tls_client_key: ['VAULT_CLIENT_KEY'],
  tls_server_name: ['VAULT_TLS_SERVER_NAME'],
  tls_skip_verify: ['VAULT_SKIP_VERIFY'],
} as const;

type Setting = keyof typeof ENV_NAMES;

export function parseSealConfig(sealBlocks: SealBlock[], env: Env, r: SealReaders): ServerConfig['seal'] {
  if (sealBlocks.length > 1) r.fail('at most one seal block is supported (seal migration is not)');
  let body: Record<string, unknown>;
  if (sealBlocks.length === 1) {
    const type = sealBlocks[0]!.labels[0] ?? '';
    if (type !== 'transit') r.fail(`unknown seal type "${type}" (use "transit", or no seal block for Shamir keys)`);
    body = sealBlocks[0]!.body;
  } else {
    const type = (env['VAULT_SEAL_TYPE'] ?? '').trim();
    if (type === '' || type === 'shamir') return undefined;
    if (type !== 'transit') r.fail(`unknown seal type "${type}" in VAULT_SEAL_TYPE (use "transit" or "shamir")`);
    body = {};
  }

  const fromEnv = (setting: Setting): string | undefined => ENV_NAMES[setting].map((name) => env[name]).find((v) => v !== undefined && v !== '');
  const value = (setting: Setting): unknown => body[setting] ?? fromEnv(setting);
  const text = (setting: Setting) => r.str(value(setting), `seal.${setting}`);

  const config: TransitSealConfig = {
    address: text('address') ?? '',
    token: text('token') ?? '',
    keyName: text('key_name') ?? '',
    mountPath: text('mount_path') ?? 'transit/',
    namespace: text('namespace'),
    tlsCaCert: text('tls_ca_cert'),
    tlsClientCert: text('tls_client_cert'),
    tlsClientKey: text('tls_client_key'),
    tlsServerName: text('tls_server_name'),
    tlsSkipVerify: r.bool(value('tls_skip_verify'), 'seal.tls_skip_verify'),
  };
  // The file or the environment; the message names both.
  const missing = (setting: Setting) => r.fail(`seal "transit" needs ${setting} (${setting} = "..." in the seal block, or ${ENV_NAMES[setting].at(-1)} in the environment)`);
  if (!config.address) missing('address');
  if (!config.keyName) missing('key_name');
  if (!config.token) missing('token');
  return { type: 'transit', config };
}
