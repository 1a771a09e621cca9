/**
 * The auto-auth methods: each reads its credential from a file and logs in. A method is
 * made once and called for every (re-)authentication, so it can keep what a file held
 * after the file was removed: AppRole's secret id and a JWT are deleted after reading by
 * default, and a later re-authentication uses the copy in memory, as Vault Agent does.
 */
import { readFile, unlink } from 'node:fs/promises';
import { ApiError, type ApiClient } from '../../api/client.js';
import { requestOrThrow } from '../request.js';
import type { MethodSettings } from '../config/types.js';
import { tokenFromAuth, type AgentToken } from './login-result.js';

export type Login = () => Promise<AgentToken>;

async function readTrimmed(path: string, what: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new Error(`cannot read the ${what} file ${path}: ${code ?? 'error'}`);
  }
  const value = text.trim();
  if (value === '') throw new Error(`the ${what} file ${path} is empty`);
  return value;
}

async function removeFile(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

async function post(client: ApiClient, path: string, body: Record<string, unknown>, token?: string) {
  // The client these get holds no token of its own: logins carry none.
  return requestOrThrow<{ auth?: unknown; data?: Record<string, unknown> }>(client, 'POST', path, body, token ? { 'X-Vault-Token': token } : {});
}

/**
 * Opens the wrapping token holding a secret id, after checking it was made where the
 * configuration says: a token wrapped anywhere else could carry a secret id an attacker
 * chose (Vault Agent checks the same).
 */
async function unwrapSecretId(client: ApiClient, wrappingToken: string, expectedPath: string, file: string): Promise<string> {
  let lookup;
  try {
    lookup = await post(client, 'sys/wrapping/lookup', { token: wrappingToken });
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) throw new Error(`the wrapping token in ${file} is not valid (already used or expired?): ${err.message}`);
    throw err;
  }
  const creationPath = String(lookup?.data?.creation_path ?? '').replace(/^\/+|\/+$/g, '');
  if (creationPath !== expectedPath) {
    throw new Error(`the wrapping token in ${file} was made at "${creationPath}", not at secret_id_response_wrapping_path "${expectedPath}"`);
  }
  const unwrapped = await post(client, 'sys/wrapping/unwrap', {}, wrappingToken);
  const secretId = unwrapped?.data?.secret_id;
  if (typeof secretId !== 'string' || secretId === '') throw new Error(`the wrapping token in ${file} held no secret_id`);
  return secretId;
}

function approle(client: ApiClient, mount: string, s: Extract<MethodSettings, { type: 'approle' }>): Login {
  let cachedSecretId: string | undefined;
  return async () => {
    const roleId = await readTrimmed(s.roleIdFilePath, 'role id');
    if (roleId === undefined) throw new Error(`the role id file ${s.roleIdFilePath} does not exist`);
    const body: Record<string, unknown> = { role_id: roleId };
    if (s.secretIdFilePath) {
      const content = await readTrimmed(s.secretIdFilePath, 'secret id');
      if (content !== undefined) {
        cachedSecretId = s.secretIdResponseWrappingPath
          ? await unwrapSecretId(client, content, s.secretIdResponseWrappingPath, s.secretIdFilePath)
          : content;
        if (s.removeSecretIdFileAfterReading) await removeFile(s.secretIdFilePath);
      } else if (cachedSecretId === undefined) {
        throw new Error(`the secret id file ${s.secretIdFilePath} does not exist and no secret id was read before`);
      }
      body.secret_id = cachedSecretId;
    }
    return tokenFromAuth((await post(client, `${mount}/login`, body))?.auth);
  };
}

function jwtFile(client: ApiClient, mount: string, role: string, path: string, remove: boolean, what: string): Login {
  let cached: string | undefined;
  return async () => {
    const jwt = await readTrimmed(path, what);
    if (jwt !== undefined) {
      cached = jwt;
      if (remove) await removeFile(path);
    }
    if (cached === undefined) throw new Error(`the ${what} file ${path} does not exist`);
    return tokenFromAuth((await post(client, `${mount}/login`, { role, jwt: cached }))?.auth);
  };
}

/** An existing token from a file: looked up to learn its TTL, then renewed like any other. */
function tokenFile(client: ApiClient, path: string): Login {
  return async () => {
    const token = await readTrimmed(path, 'token');
    if (token === undefined) throw new Error(`the token file ${path} does not exist`);
    const body = await requestOrThrow<{ data?: Record<string, unknown> }>(client, 'GET', 'auth/token/lookup-self', undefined, { 'X-Vault-Token': token });
    const d = body?.data ?? {};
    return {
      token,
      ...(typeof d.accessor === 'string' ? { accessor: d.accessor } : {}),
      ttlSeconds: typeof d.ttl === 'number' ? d.ttl : 0,
      renewable: d.renewable === true,
    };
  };
}

export function createLogin(client: ApiClient, mountPath: string, settings: MethodSettings): Login {
  switch (settings.type) {
    case 'approle':
      return approle(client, mountPath, settings);
    case 'kubernetes':
      // The kubelet rotates the projected token: read it anew each time, never delete it.
      return jwtFile(client, mountPath, settings.role, settings.tokenPath, false, 'service account token');
    case 'jwt':
      return jwtFile(client, mountPath, settings.role, settings.path, settings.removeJwtAfterReading, 'JWT');
    case 'token_file':
      return tokenFile(client, settings.tokenFilePath);
    case 'cert':
      // The client presents the certificate (agent.ts builds it with authTls): the login only names the role.
      return async () => tokenFromAuth((await post(client, `${mountPath}/login`, settings.name ? { name: settings.name } : {}))?.auth);
  }
}
