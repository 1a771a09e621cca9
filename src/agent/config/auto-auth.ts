/**
 * The `auto_auth` stanza: one `method "<type>" { mount_path, namespace, config = {...} }`
 * and any number of `sink "file" { config = { path, mode }, wrap_ttl }`. Each method's
 * `config` is checked here, so a missing role id file path fails when the agent starts,
 * not at its first login.
 */
import { typedBlocks, type Stanza } from './reader.js';
import type { AutoAuthConfig, AuthMethodConfig, AuthMethodType, FileSinkConfig, MethodSettings } from './types.js';

const METHODS: AuthMethodType[] = ['approle', 'kubernetes', 'jwt', 'token_file', 'cert'];
export const DEFAULT_K8S_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function methodSettings(type: AuthMethodType, c: Stanza): MethodSettings {
  switch (type) {
    case 'approle': {
      const secretIdFilePath = c.str('secret_id_file_path');
      const secretIdResponseWrappingPath = c.str('secret_id_response_wrapping_path');
      if (secretIdResponseWrappingPath && !secretIdFilePath) c.fail('secret_id_response_wrapping_path needs secret_id_file_path');
      return {
        type,
        roleIdFilePath: c.requiredStr('role_id_file_path'),
        ...(secretIdFilePath ? { secretIdFilePath } : {}),
        removeSecretIdFileAfterReading: c.bool('remove_secret_id_file_after_reading') ?? true,
        ...(secretIdResponseWrappingPath ? { secretIdResponseWrappingPath: secretIdResponseWrappingPath.replace(/^\/+|\/+$/g, '') } : {}),
      };
    }
    case 'kubernetes':
      return { type, role: c.requiredStr('role'), tokenPath: c.str('token_path') || DEFAULT_K8S_TOKEN_PATH };
    case 'jwt':
      return { type, role: c.requiredStr('role'), path: c.requiredStr('path'), removeJwtAfterReading: c.bool('remove_jwt_after_reading') ?? true };
    case 'token_file':
      return { type, tokenFilePath: c.requiredStr('token_file_path') };
    case 'cert': {
      const name = c.str('name');
      const caCert = c.str('ca_cert');
      const clientCert = c.str('client_cert');
      const clientKey = c.str('client_key');
      if (!clientCert !== !clientKey) c.fail('client_cert and client_key must be given together', clientCert ? 'client_key' : 'client_cert');
      // The certificate files are read once, at start: the renewals must present the same one.
      if (c.bool('reload')) c.fail('reload = true is not supported: the certificate files are read when the agent starts', 'reload');
      return { type, ...(name ? { name } : {}), ...(caCert ? { caCert } : {}), ...(clientCert ? { clientCert, clientKey } : {}) };
    }
  }
}

function parseMethod(type: string, m: Stanza): AuthMethodConfig {
  if (!METHODS.includes(type as AuthMethodType)) {
    m.fail(`unsupported auto_auth method "${type}" (use ${METHODS.map((x) => `"${x}"`).join(', ')})`);
  }
  const t = type as AuthMethodType;
  m.raw('type');
  if (m.has('wrap_ttl')) m.fail('response-wrapped auto-auth tokens (wrap_ttl on the method) are not supported; set wrap_ttl on a sink', 'wrap_ttl');
  const config = m.object('config') ?? m.fail('needs a config = { ... } map', 'config');
  const settings = methodSettings(t, config);
  config.done();
  const mountPath = (m.str('mount_path') ?? `auth/${t === 'token_file' ? 'token' : t}`).replace(/^\/+|\/+$/g, '');
  const minBackoff = m.durationMs('min_backoff') ?? 1_000;
  const maxBackoff = m.durationMs('max_backoff') ?? 300_000;
  if (maxBackoff < minBackoff) m.fail('max_backoff must not be less than min_backoff', 'max_backoff');
  const namespace = m.str('namespace');
  const method: AuthMethodConfig = {
    type: t,
    mountPath,
    ...(namespace ? { namespace } : {}),
    settings,
    minBackoffMs: Math.max(minBackoff, 100),
    maxBackoffMs: Math.max(maxBackoff, 100),
    exitOnError: m.bool('exit_on_err') ?? false,
  };
  m.done();
  return method;
}

function parseSink(type: string, s: Stanza): FileSinkConfig {
  if (type !== 'file') s.fail(`unsupported sink type "${type}" (only "file")`);
  s.raw('type');
  for (const key of ['dh_type', 'dh_path', 'aad', 'aad_env_var', 'derive_key']) {
    if (s.has(key)) s.fail('encrypted sinks (Diffie-Hellman) are not supported', key);
  }
  const config = s.object('config') ?? s.fail('needs a config = { path = "..." } map', 'config');
  const sink: FileSinkConfig = { type: 'file', path: config.requiredStr('path'), mode: config.mode('mode') ?? 0o640 };
  config.done();
  const wrap = s.durationSeconds('wrap_ttl');
  if (wrap) sink.wrapTtlSeconds = wrap;
  s.done();
  return sink;
}

export function parseAutoAuth(a: Stanza): AutoAuthConfig {
  const methods = typedBlocks(a, 'method');
  if (methods.length !== 1) a.fail(`needs exactly one method block, found ${methods.length}`);
  const method = parseMethod(methods[0]!.type, methods[0]!.body);
  const sinks = typedBlocks(a, 'sink').map((s) => parseSink(s.type, s.body));
  a.done();
  return { method, sinks };
}
