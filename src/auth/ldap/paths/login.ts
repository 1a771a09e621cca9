/**
 * `login/:username` {password}: a directory bind as the user, then policies from the config,
 * the user's entry and every `groups/<name>` matching one of the user's LDAP groups.
 *
 * Every failure a guesser could learn from — no such user, several entries, wrong password, a
 * locked user — gets the same 400 and one bind's worth of time. Failures count toward the
 * mount's lockout under the canonical name (trimmed, lower-cased unless case_sensitive_names),
 * so `Alice` and `alice ` share one counter. An empty password never reaches the directory:
 * servers take a simple bind without a password as an anonymous, successful one.
 */
import { z } from 'zod';
import { invalidRequest, permissionDenied } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { addressAllowed } from '../../../framework/cidr.js';
import type { Response } from '../../../logical/request.js';
import { tokenAuth } from '../../shared/token-params.js';
import { directoryDummyLogin, directoryLogin } from '../directory.js';
import { canonicalName, getConfig, getGroup, getUser, type LdapConfig } from '../storage.js';

export const BIND_FAILED = 'ldap operation failed: failed to bind as user';
/** Longer passwords are refused before the directory sees them (no server needs more). */
const MAX_PASSWORD_BYTES = 1024;

const loginFields = {
  username: z.string(),
  password: z.string().optional().describe('The user\u2019s directory password'),
};

type LoginFields = z.infer<z.ZodObject<typeof loginFields>>;

/** Policies of the user's entry and of every configured group among `groups`. */
export async function mappedPolicies(ctx: Pick<HandlerContext<LoginFields>, 'storage'>, cfg: LdapConfig, username: string, ldapGroups: string[]) {
  const user = await getUser(ctx.storage, username);
  const allGroups = [...(user?.groups ?? []), ...ldapGroups];
  const policies = new Set<string>(user?.policies ?? []);
  const seen = new Set<string>();
  for (const g of allGroups) {
    const key = canonicalName(g, cfg.caseSensitiveNames);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    for (const p of (await getGroup(ctx.storage, key))?.policies ?? []) policies.add(p);
  }
  return { policies: [...policies], allGroups: [...new Set(allGroups)] };
}

async function login(ctx: HandlerContext<LoginFields>): Promise<Response> {
  const cfg = await getConfig(ctx.storage);
  if (!cfg) throw invalidRequest('auth method not configured');
  if (cfg.token.boundCidrs.length > 0 && !addressAllowed(ctx.req.remoteAddress, cfg.token.boundCidrs)) throw permissionDenied();
  const password = ctx.fields.password ?? '';
  if (password === '') {
    throw invalidRequest(
      cfg.denyNullBind
        ? 'password cannot be of zero length when passwordless binds are being denied'
        : 'password cannot be of zero length: unauthenticated binds are not accepted by this server',
    );
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw invalidRequest(BIND_FAILED);
  const username = canonicalName(ctx.fields.username, cfg.caseSensitiveNames);
  if (username === '') throw invalidRequest('missing username');

  if (ctx.lockout?.isLocked(username)) {
    await directoryDummyLogin(cfg, password);
    throw invalidRequest(BIND_FAILED);
  }
  const verdict = await directoryLogin(cfg, username, password);
  if (!verdict.ok) {
    if (verdict.reason === 'error') {
      ctx.logger.warn('ldap login failed on the directory side', { error: verdict.message });
      throw invalidRequest(verdict.message);
    }
    await ctx.lockout?.recordFailure(username);
    throw invalidRequest(BIND_FAILED);
  }
  ctx.lockout?.recordSuccess(username);

  const { policies, allGroups } = await mappedPolicies(ctx, cfg, username, verdict.groups);
  const base = tokenAuth(cfg.token);
  // Kept with the token, behind the barrier, as Vault does: renewal binds again (index.ts).
  const internalData = { password };
  const warnings = verdict.groups.length === 0 ? [`no LDAP groups found in groupDN ${JSON.stringify(cfg.groupDn)}; only policies from locally-defined groups available`] : [];
  return {
    ...(warnings.length > 0 ? { warnings } : {}),
    auth: {
      ...base,
      policies: [...new Set([...base.policies, ...policies])].sort(),
      displayName: username,
      metadata: { username },
      alias: { name: verdict.aliasName, metadata: { name: username } },
      internalData,
      groupAliases: allGroups.filter((g) => g !== '').map((name) => ({ name })),
    },
  };
}

export function loginPath(): PathDefinition {
  return definePath({
    pattern: 'login/:username',
    fields: loginFields,
    operations: { update: login },
    help: {
      synopsis: 'Log in with a directory username and password.',
      description: 'Binds to the directory as the user; the token gets the config\u2019s policies plus those of the user and of the user\u2019s LDAP groups.',
    },
  });
}
