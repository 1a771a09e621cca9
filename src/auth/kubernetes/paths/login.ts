/**
 * `login` {role, jwt}: check the service-account JWT (locally with pem_keys, else through the
 * cluster's TokenReview API), then the role's bound names, namespaces and audience. A
 * request missing something is a 400; a token the checks refuse is a 403 naming the reason
 * (never the token); a cluster that cannot be asked is a 400 saying so.
 */
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { invalidRequest, permissionDenied } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { addressAllowed } from '../../../framework/cidr.js';
import { globMatch } from '../../../framework/glob.js';
import type { PemKeyCache } from '../../shared/pem-keys.js';
import { tokenAuth } from '../../shared/token-params.js';
import { Denied, verifyLocally, type ServiceAccount } from '../service-account.js';
import { getConfig, getRole, type KubeRole } from '../storage.js';
import { reviewToken, Unreachable } from '../token-review.js';

const loginFields = {
  role: z.string().optional().describe('The role to log in with'),
  jwt: z.string().optional().describe('The service account\u2019s JWT'),
};

type LoginFields = z.infer<z.ZodObject<typeof loginFields>>;

const MAX_JWT_BYTES = 64 * 1024;

const allowedBy = (patterns: string[], value: string) => patterns.some((p) => p === '*' || globMatch(p, value));

/** The role's bounds against the account the token was proven to belong to. */
function checkRole(account: ServiceAccount, role: KubeRole): void {
  if (!allowedBy(role.boundServiceAccountNamespaces, account.namespace)) throw new Denied('namespace not authorized');
  if (!allowedBy(role.boundServiceAccountNames, account.name)) throw new Denied('service account name not authorized');
  if (role.audience !== '' && !account.audiences.includes(role.audience)) throw new Denied('the token does not carry the role\'s audience');
}

/** The legacy secret name, read (unverified) from a token already proven valid. */
function secretName(jwt: string): string {
  try {
    const v = decodeJwt(jwt)['kubernetes.io/serviceaccount/secret.name'];
    return typeof v === 'string' ? v : '';
  } catch {
    return '';
  }
}

async function login(ctx: HandlerContext<LoginFields>, pems: PemKeyCache): Promise<Response> {
  const roleName = (ctx.fields.role ?? '').trim();
  if (roleName === '') throw invalidRequest('missing role');
  const jwt = (ctx.fields.jwt ?? '').trim();
  if (jwt === '') throw invalidRequest('missing jwt');
  if (jwt.length > MAX_JWT_BYTES) throw invalidRequest(`jwt is longer than ${MAX_JWT_BYTES} bytes`);
  const role = await getRole(ctx.storage, roleName);
  if (!role) throw invalidRequest(`invalid role name "${roleName.slice(0, 128)}"`);
  if (role.token.boundCidrs.length > 0 && !addressAllowed(ctx.req.remoteAddress, role.token.boundCidrs)) throw permissionDenied();
  const config = await getConfig(ctx.storage);
  if (!config) throw invalidRequest('could not load backend configuration: write config first');

  let account: ServiceAccount;
  try {
    account = config.pemKeys.length > 0 ? await verifyLocally(jwt, config, pems, ctx.clock()) : await reviewToken(jwt, config, role.audience);
    checkRole(account, role);
  } catch (err) {
    if (err instanceof Denied) throw permissionDenied(`permission denied: ${err.message}`);
    if (err instanceof Unreachable) throw invalidRequest(err.message);
    throw err;
  }
  const secret = account.secretName || secretName(jwt);
  const metadata = {
    service_account_name: account.name,
    service_account_namespace: account.namespace,
    service_account_secret_name: secret,
    service_account_uid: account.uid,
  };
  const alias = role.aliasNameSource === 'serviceaccount_name' ? `${account.namespace}/${account.name}` : account.uid;
  return {
    auth: {
      ...tokenAuth(role.token),
      displayName: `${account.namespace}-${account.name}`,
      metadata: { ...metadata, role: role.name },
      alias: { name: alias, metadata },
      internalData: { role: role.name },
    },
  };
}

export function loginPath(pems: PemKeyCache): PathDefinition {
  return definePath({
    pattern: 'login',
    fields: loginFields,
    operations: { update: (ctx) => login(ctx, pems) },
    help: { synopsis: 'Log in with a Kubernetes service-account JWT.', description: 'Answers a token in the auth block when the cluster (or the configured keys) vouches for the JWT and the role allows its service account.' },
  });
}
