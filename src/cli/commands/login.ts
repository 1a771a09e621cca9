/**
 * `coffer login [TOKEN | K=V…]`: authenticate and keep the token in ~/.coffer-token. The
 * token method checks the token with lookup-self; userpass and ldap send the password to
 * the method's login path; approle sends role_id and secret_id to its `login`; cert logs in
 * with the TLS client certificate of -client-cert/-client-key.
 */
import type { Secret } from '../../api/logical.js';
import { createWrapping } from '../../api/wrapping.js';
import { defineCommand, ensureTrailingSlash, sanitizePath } from '../command.js';
import { envValue } from '../config.js';
import type { Context } from '../context.js';
import { CommandFailed, failure } from '../errors.js';
import { UsageError } from '../flags.js';
import { parseKvArgs } from '../kv-args.js';
import { outputSecret, printSecretField, wrapAtLength } from '../output/format.js';
import { completeMfaLogin, mfaRequirementOf } from '../login-mfa.js';
import { readSecret } from '../prompt.js';
import { storeToken } from '../token-file.js';

type Config = Record<string, string>;

async function askSecret(ctx: Context, label: string, what: string): Promise<string> {
  if (ctx.nonInteractive) throw new CommandFailed(`Refusing to prompt with -non-interactive; give the ${what} as an argument`);
  return readSecret(ctx.io, label);
}

async function tokenLogin(ctx: Context, config: Config): Promise<Secret> {
  const token = (config.token || (await askSecret(ctx, 'Token (will be hidden): ', 'token'))).trim();
  if (token === '') throw new CommandFailed('Error authenticating: a token must be given; see "coffer login -help"');
  let secret: Secret | null;
  try {
    secret = await ctx.apiWithToken(token).read('auth/token/lookup-self');
  } catch (err) {
    throw failure('Error authenticating: error looking up token', err);
  }
  if (secret?.wrap_info) return secret;
  const data = (secret?.data ?? null) as Record<string, unknown> | null;
  if (!secret || !data) throw new CommandFailed('Error authenticating: empty answer from lookup-self');
  const tokenPolicies = Array.isArray(data.policies) ? (data.policies as string[]) : [];
  const identityPolicies = Array.isArray(data.identity_policies) ? (data.identity_policies as string[]) : [];
  return {
    ...secret,
    data: null,
    auth: {
      client_token: token,
      accessor: data.accessor ?? '',
      policies: [...tokenPolicies, ...identityPolicies],
      token_policies: tokenPolicies,
      identity_policies: identityPolicies,
      metadata: data.meta ?? null,
      lease_duration: typeof data.ttl === 'number' ? data.ttl : 0,
      renewable: data.renewable === true,
    },
  };
}

async function passwordLogin(ctx: Context, mount: string, config: Config): Promise<Secret> {
  const username = config.username;
  if (!username) throw new UsageError('Error authenticating: "username" is required, as username=NAME');
  const password = config.password || (await askSecret(ctx, 'Password (will be hidden): ', 'password'));
  const { username: _u, password: _p, mount: _m, ...rest } = config;
  try {
    const secret = await ctx.apiWithToken(undefined).write(`auth/${sanitizePath(mount)}/login/${username}`, { ...rest, password });
    if (!secret) throw new Error('empty answer from the login endpoint');
    return secret;
  } catch (err) {
    throw failure('Error authenticating', err);
  }
}

/** AppRole: role_id and secret_id (asked for without echo when left out) to `auth/<mount>/login`. */
async function appRoleLogin(ctx: Context, mount: string, config: Config): Promise<Secret> {
  if (!config.role_id) throw new UsageError('Error authenticating: "role_id" is required, as role_id=ID');
  const secretId = config.secret_id ?? (await askSecret(ctx, 'Secret ID (will be hidden): ', 'secret_id'));
  const { mount: _m, ...rest } = config;
  try {
    const secret = await ctx.apiWithToken(undefined).write(`auth/${sanitizePath(mount)}/login`, { ...rest, secret_id: secretId });
    if (!secret) throw new Error('empty answer from the login endpoint');
    return secret;
  } catch (err) {
    throw failure('Error authenticating', err);
  }
}

/** TLS client certificate (-client-cert, -client-key): `auth/<mount>/login`, with `name=` to pick one trusted certificate. */
async function certLogin(ctx: Context, mount: string, config: Config): Promise<Secret> {
  const { mount: _m, ...rest } = config;
  try {
    const secret = await ctx.apiWithToken(undefined).write(`auth/${sanitizePath(mount)}/login`, rest);
    if (!secret) throw new Error('empty answer from the login endpoint');
    return secret;
  } catch (err) {
    throw failure('Error authenticating', err);
  }
}

/**
 * The login's token, as Vault's CLI finds it: in `auth`, or inside a wrapped answer
 * (-wrap-ttl), which is unwrapped with its own wrapping token unless `unwrap` is false
 * (-no-store, -token-only: the user wants the wrapping token itself).
 */
async function extractToken(ctx: Context, secret: Secret, unwrap: boolean): Promise<{ secret: Secret; wrapped: boolean }> {
  if (secret.auth) return { secret, wrapped: false };
  const wrap = secret.wrap_info as { token?: unknown; wrapped_accessor?: unknown } | null;
  if (!wrap) throw new CommandFailed('Error authenticating: the answer holds no token');
  if (!wrap.wrapped_accessor || typeof wrap.token !== 'string') throw new CommandFailed('Error extracting token: wrapped response does not contain a token', 2);
  if (!unwrap) return { secret, wrapped: true };
  let opened: Secret | null;
  try {
    opened = await createWrapping(ctx.apiWithToken(wrap.token)).unwrap();
  } catch (err) {
    throw new CommandFailed(failure('Error extracting token', err).message, 2);
  }
  if (!opened) throw new CommandFailed('Error extracting token: the wrapped answer was empty', 2);
  // No loop: the server never wraps an unwrap's answer.
  return extractToken(ctx, opened, unwrap);
}

export default defineCommand({
  name: 'login',
  output: 'field',
  flags: {
    method: { type: 'string', default: 'token', usage: 'Auth method: token, userpass, ldap, approle or cert.' },
    path: { type: 'string', usage: 'Mount path of the auth method; the default is the method name.' },
    'no-store': { type: 'bool', default: false, usage: 'Do not keep the token in ~/.coffer-token.' },
    'no-print': { type: 'bool', default: false, usage: 'Print nothing on success; the token is still stored.' },
    'token-only': { type: 'bool', default: false, usage: 'Print only the token, and do not store it (same as -field=token -no-store).' },
  },
  help: `Usage: coffer login [options] [AUTH K=V...]

  Authenticates to the server and stores the resulting token in ~/.coffer-token
  (where later commands read it, after COFFER_TOKEN and VAULT_TOKEN). When no
  token is given, it is asked for without echo on a terminal, or read as the
  first line of stdin otherwise; "-" reads all of stdin.

  Log in with a token (it is checked with auth/token/lookup-self):

      $ coffer login hvs.XXXXXXXX

  Log in with a username and password:

      $ coffer login -method=userpass username=alice

  Log in with a TLS client certificate (name= picks one trusted certificate):

      $ coffer login -method=cert -client-cert=me.crt -client-key=me.key name=web

  Log in with an AppRole role id and secret id (the secret id is asked for
  without echo when left out):

      $ coffer login -method=approle role_id=ROLE_ID secret_id=SECRET_ID

  When the server asks for login MFA with one TOTP method, the passcode is asked
  for (or read as the next line of stdin) and sent to sys/mfa/validate.

  With -wrap-ttl the login's answer comes back wrapped; it is unwrapped and the
  token stored, unless -token-only (prints the wrapping token) or -no-store
  (prints the wrapping token's details).
`,
  async run(ctx, args, flags) {
    let field = ctx.field;
    let noStore = flags.bool('no-store');
    if (flags.bool('token-only')) {
      noStore = true;
      field = 'token';
    }
    if (noStore && flags.bool('no-print')) throw new UsageError('-no-store and -no-print cannot be used together');
    const method = sanitizePath(flags.str('method') ?? 'token') || 'token';
    const mount = flags.str('path') ?? ensureTrailingSlash(method);
    if (method === 'token' && args.length > 0 && !args[0]!.includes('=')) args = [`token=${args[0]}`, ...args.slice(1)];
    const raw = await parseKvArgs(ctx.io, args);
    const config: Config = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));

    let secret: Secret;
    if (method === 'token') secret = await tokenLogin(ctx, config);
    else if (method === 'userpass' || method === 'ldap') secret = await passwordLogin(ctx, config.mount || mount, config);
    else if (method === 'approle') secret = await appRoleLogin(ctx, config.mount || mount, config);
    else if (method === 'cert') secret = await certLogin(ctx, config.mount || mount, config);
    else {
      throw new CommandFailed(
        wrapAtLength(`Unknown auth method: ${method}. Use "coffer auth list" to see the enabled auth methods; others can be used with "coffer write auth/<path>/login".`),
      );
    }
    const mfa = mfaRequirementOf(secret);
    if (mfa) secret = await completeMfaLogin(ctx, secret, mfa);
    const extracted = await extractToken(ctx, secret, !noStore);
    if (extracted.wrapped) {
      // -token-only prints the wrapping token; -no-store shows the wrapping details.
      if (flags.bool('token-only')) return printSecretField(ctx, extracted.secret, 'wrapping_token');
      return field ? printSecretField(ctx, extracted.secret, field) : outputSecret(ctx, extracted.secret);
    }
    secret = extracted.secret;
    const auth = secret.auth as Record<string, unknown> | null;
    if (!auth || typeof auth.client_token !== 'string') throw new CommandFailed('Error authenticating: the answer holds no token');

    if (!noStore) {
      try {
        storeToken(ctx.io.env, auth.client_token);
      } catch (err) {
        ctx.err(`Error storing token: ${err instanceof Error ? err.message : String(err)}`);
        ctx.err(wrapAtLength('Authentication was successful, but the token was not stored. It is shown below for your records.') + '\n');
        outputSecret(ctx, secret);
        return 1;
      }
      const envName = ctx.io.env.COFFER_TOKEN ? 'COFFER_TOKEN' : ctx.io.env.VAULT_TOKEN ? 'VAULT_TOKEN' : undefined;
      if (envName && envValue(ctx.io.env, 'TOKEN')) {
        ctx.err(
          wrapAtLength(
            `WARNING! The ${envName} environment variable is set! Its value takes precedence over the stored token; unset ${envName} or update its value if that is not what you want.`,
          ) + '\n',
        );
      }
    } else if (field !== 'token') {
      ctx.err(wrapAtLength('The token was not stored. Set COFFER_TOKEN or pass the token below with each request.') + '\n');
    }

    if (flags.bool('no-print')) return 0;
    if (field) return printSecretField(ctx, secret, field);
    if (ctx.format === 'table') {
      const stored = noStore
        ? ''
        : ' The token information displayed below is already stored in ~/.coffer-token. You do NOT need to run "coffer login" again. Future requests will automatically use this token.';
      ctx.out(wrapAtLength(`Success! You are now authenticated.${stored}`) + '\n');
    }
    return outputSecret(ctx, secret);
  },
});
