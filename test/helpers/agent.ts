/**
 * The built `coffer agent` as a child process, with its config written to a temp dir, and
 * the small waits the agent tests share. Every agent started here is killed by
 * `stopAllAgents()` (call it from an `after` hook) or when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, type ExitResult, type ProcessServer } from './process-server.js';

export interface AgentProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<ExitResult>;
  hasExited(): ExitResult | undefined;
  /** Sends a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<ExitResult>;
}

const live = new Set<ChildProcess>();
const dirs: string[] = [];
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** A temp dir removed by stopAllAgents. */
export function tempDir(prefix = 'coffer-agent-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export async function stopAllAgents(): Promise<void> {
  await Promise.all(
    [...live].map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const done = new Promise((r) => c.once('close', r));
      c.kill('SIGKILL');
      await done;
    }),
  );
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Runs `coffer agent <args>` with an environment free of the caller's VAULT_* settings. */
export function spawnAgent(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): AgentProcess {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VAULT|COFFER)_/.test(k)) base[k] = v;
  const child = spawn(process.execPath, [CLI_PATH, 'agent', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, ...env }, ...(cwd ? { cwd } : {}) });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  let result: ExitResult | undefined;
  const exited = new Promise<ExitResult>((res) =>
    child.on('close', (code, signal) => {
      live.delete(child);
      result = { code, signal };
      res(result);
    }),
  );
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    exited,
    hasExited: () => result,
    async kill(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}

/** Writes `text` as agent.hcl in `dir` and starts the agent on it. */
export function startAgentWith(dir: string, text: string, env?: NodeJS.ProcessEnv, name = 'agent.hcl'): AgentProcess {
  const path = join(dir, name);
  writeFileSync(path, text);
  return spawnAgent([`-config=${path}`], env);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, agent?: AgentProcess): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (agent?.hasExited()) throw new Error(`agent exited (${JSON.stringify(agent.hasExited())}) while waiting for ${what}\n--- stderr ---\n${agent.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${agent ? `\n--- stderr ---\n${agent.stderr()}` : ''}`);
    await sleep(50);
  }
}

/** The file's content once it exists and is not empty. */
export function readIfThere(path: string): string | undefined {
  try {
    const s = readFileSync(path, 'utf8');
    return s === '' ? undefined : s;
  } catch {
    return undefined;
  }
}

export type Call = (method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; json: any; text: string }>;

/** Requests to a process server with a token. */
export function caller(server: ProcessServer, defaultToken?: string): Call {
  return (method, path, body, token = defaultToken) =>
    server.request(`/v1/${path}`, { method, ...(body !== undefined ? { body } : {}), headers: token ? { 'X-Vault-Token': token } : {} });
}

/** Enables AppRole with a role `app` (policy `app`, reading secret/data/app/*) and returns its role id. */
export async function setUpAppRole(root: Call, role: Record<string, unknown> = {}): Promise<string> {
  const must = async (p: Promise<{ status: number; text: string }>, what: string) => {
    const r = await p;
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
    return r;
  };
  await must(root('POST', 'sys/auth/approle', { type: 'approle' }), 'enable approle');
  await must(root('PUT', 'sys/policies/acl/app', { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' }), 'policy');
  await must(root('POST', 'auth/approle/role/app', { token_policies: 'app', ...role }), 'role');
  const r = await must(root('GET', 'auth/approle/role/app/role-id'), 'role id');
  return (r as unknown as { json: any }).json.data.role_id as string;
}

/**
 * The `vault` and `auto_auth` stanzas of an agent that logs in with AppRole role `app` (see
 * setUpAppRole): a fresh secret id and the role id written into `dir`, a token sink at `dir/token`.
 */
export async function appRoleStanzas(dir: string, server: ProcessServer, root: Call, roleId: string): Promise<string> {
  writeFileSync(join(dir, 'role-id'), roleId);
  writeFileSync(join(dir, 'secret-id'), (await root('POST', 'auth/approle/role/app/secret-id', {})).json.data.secret_id);
  return `
vault { address = "${server.address}" }
auto_auth {
  method "approle" {
    config = {
      role_id_file_path = "${join(dir, 'role-id')}"
      secret_id_file_path = "${join(dir, 'secret-id')}"
    }
  }
  sink "file" { config = { path = "${join(dir, 'token')}" } }
}
`;
}
