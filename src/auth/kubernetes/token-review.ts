/**
 * The TokenReview API: ask the cluster whether a service-account token is valid. The
 * request carries the reviewer's token (token_reviewer_jwt, the pod's own token when running
 * in a cluster, or else the caller's token itself) and the role's audience. A failure is a
 * Denied (the cluster said no) or an Unreachable (it could not be asked), never the token.
 */
import { readFile } from 'node:fs/promises';
import { hasCertificate } from '../../crypto/pem-bundle.js';
import { fetchJson, FetchError } from '../shared/fetch-json.js';
import { Denied, type ServiceAccount } from './service-account.js';
import type { KubeConfig } from './storage.js';

export class Unreachable extends Error {}

const LOCAL_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

async function readLocal(name: string): Promise<string> {
  try {
    return (await readFile(`${LOCAL_DIR}/${name}`, 'utf8')).trim();
  } catch {
    return '';
  }
}

/** The reviewer token and CA to use: configured ones first, then the pod's own (unless disabled). */
async function credentials(config: KubeConfig, callerJwt: string): Promise<{ bearer: string; ca: string; caSource: string }> {
  const local = !config.disableLocalCaJwt;
  const bearer = config.tokenReviewerJwt || (local ? await readLocal('token') : '') || callerJwt;
  const [ca, caSource] = config.kubernetesCaCert !== ''
    ? [config.kubernetesCaCert, 'kubernetes_ca_cert']
    : [local ? await readLocal('ca.crt') : '', `the pod's CA (${LOCAL_DIR}/ca.crt)`];
  // Node ignores a CA bundle it cannot parse and then trusts nothing: the handshake would fail
  // with a message about the server's certificate, not about the bundle that is wrong.
  if (ca !== '' && !hasCertificate(ca)) throw new Unreachable(`${caSource} holds no valid PEM certificate, so the Kubernetes API's certificate cannot be verified: write the cluster's CA certificate to config`);
  return { bearer, ca, caSource };
}

/** Node's codes for a server certificate that does not verify against the trusted CAs. */
const CERT_UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE']);

interface ReviewStatus {
  authenticated?: boolean;
  error?: string;
  audiences?: string[];
  user?: { username?: string; uid?: string };
}

/** The service account the cluster vouches for, or Denied / Unreachable. */
export async function reviewToken(jwt: string, config: KubeConfig, audience: string): Promise<ServiceAccount> {
  const { bearer, ca, caSource } = await credentials(config, jwt);
  const url = `${config.kubernetesHost.replace(/\/+$/, '')}/apis/authentication.k8s.io/v1/tokenreviews`;
  const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: jwt, ...(audience ? { audiences: [audience] } : {}) } };
  let res: { status: number; body: unknown };
  try {
    res = await fetchJson(url, { method: 'POST', bearer, ca, body, timeoutMs: 10_000 });
  } catch (err) {
    if (err instanceof FetchError) {
      const hint = ca !== '' && err.code !== undefined && CERT_UNTRUSTED.has(err.code) ? ` (the API server's certificate does not verify against ${caSource})` : '';
      throw new Unreachable(`the Kubernetes API could not review the token: ${err.message}${hint}`);
    }
    throw err;
  }
  if (res.status === 401 || res.status === 403) {
    throw new Denied('the token reviewer is not authorized to use the TokenReview API (check token_reviewer_jwt and its RBAC)');
  }
  if (res.status !== 200 && res.status !== 201) throw new Unreachable(`the Kubernetes TokenReview API answered ${res.status}`);
  const status = ((res.body ?? {}) as { status?: ReviewStatus }).status ?? {};
  if (status.authenticated !== true) throw new Denied('the Kubernetes API did not authenticate the token');
  // The answer comes from the network: every field is checked for its type before use.
  const username = typeof status.user?.username === 'string' ? status.user.username : '';
  const match = SA_USER.exec(username);
  if (!match) throw new Denied('the token does not belong to a service account');
  const uid = typeof status.user?.uid === 'string' ? status.user.uid : '';
  if (uid === '') throw new Denied('the TokenReview named no service account uid');
  return { namespace: match[1]!, name: match[2]!, uid, secretName: '', audiences: Array.isArray(status.audiences) ? status.audiences.filter((a): a is string => typeof a === 'string') : [] };
}
