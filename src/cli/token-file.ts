/**
 * The token helper: `coffer login` keeps the token in `~/.coffer-token` (mode 0600), and
 * commands read it from there, or from Vault's `~/.vault-token` when Coffer has none, so a
 * machine already logged in with the vault CLI works as it is. `HOME` decides where `~` is.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const COFFER_TOKEN_FILE = '.coffer-token';
export const VAULT_TOKEN_FILE = '.vault-token';

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME && env.HOME !== '' ? env.HOME : homedir();
}

export function tokenFilePath(env: NodeJS.ProcessEnv): string {
  return join(homeDir(env), COFFER_TOKEN_FILE);
}

function readTrimmed(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The stored token: `~/.coffer-token`, else `~/.vault-token`; undefined when neither holds one. */
export function readStoredToken(env: NodeJS.ProcessEnv): string | undefined {
  const home = homeDir(env);
  return readTrimmed(join(home, COFFER_TOKEN_FILE)) ?? readTrimmed(join(home, VAULT_TOKEN_FILE));
}

export function storeToken(env: NodeJS.ProcessEnv, token: string): string {
  const path = tokenFilePath(env);
  writeFileSync(path, token, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
