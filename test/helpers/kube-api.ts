/**
 * A test Kubernetes API server speaking the TokenReview API over HTTPS (a throwaway
 * self-signed certificate made with openssl, for kubernetes_ca_cert). It mints
 * service-account JWTs with its own jose key and reviews tokens as the real API does:
 * the caller must present the reviewer token; a token is authenticated when its signature
 * and expiry verify and, when audiences are asked for, it carries one of them.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { jwtVerify, type JWTPayload } from 'jose';
import { selfSignedCert } from './tls-cert.js';
import { makeKey, sign, type SigningKey } from './oidc-provider.js';

export const K8S_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountSpec {
  namespace: string;
  name: string;
  uid?: string;
  audiences?: string[];
  /** seconds from now; negative = already expired */
  expiresIn?: number;
}

export interface KubeApi {
  host: string;
  caCert: string;
  key: SigningKey;
  reviewerJwt: string;
  reviews: number;
  /** A projected (bound) service-account token, as the kubelet mounts it. */
  mint(sa: ServiceAccountSpec, key?: SigningKey): Promise<string>;
  /** A legacy (secret-based) service-account token. */
  mintLegacy(sa: ServiceAccountSpec & { secretName: string }, key?: SigningKey): Promise<string>;
  close(): Promise<void>;
}


const uidOf = (sa: ServiceAccountSpec) => sa.uid ?? `uid-${sa.namespace}-${sa.name}`;

export async function startKubeApi(): Promise<KubeApi> {
  const tls = selfSignedCert('kube-apiserver');
  const key = await makeKey('sa-key');
  const reviewer = await makeKey('reviewer');
  const state = { reviews: 0 };
  const reviewerJwt = await sign(reviewer, { iss: K8S_ISSUER, sub: 'system:serviceaccount:kube-system:coffer-reviewer' });

  const review = async (token: string, audiences: string[] | undefined) => {
    try {
      const { payload } = await jwtVerify(token, key.publicKey, { issuer: [K8S_ISSUER, 'kubernetes/serviceaccount'] });
      const k = payload['kubernetes.io'] as { namespace: string; serviceaccount: { name: string; uid: string } } | undefined;
      const ns = k?.namespace ?? (payload['kubernetes.io/serviceaccount/namespace'] as string);
      const name = k?.serviceaccount.name ?? (payload['kubernetes.io/serviceaccount/service-account.name'] as string);
      const uid = k?.serviceaccount.uid ?? (payload['kubernetes.io/serviceaccount/service-account.uid'] as string);
      const tokenAud = payload.aud === undefined ? ['https://kubernetes.default.svc'] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      const wanted = audiences && audiences.length > 0 ? audiences : ['https://kubernetes.default.svc'];
      const common = wanted.filter((a) => tokenAud.includes(a));
      if (common.length === 0) return { authenticated: false, error: 'token audiences are invalid' };
      return { authenticated: true, user: { username: `system:serviceaccount:${ns}:${name}`, uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`] }, audiences: common };
    } catch {
      return { authenticated: false, error: 'invalid bearer token' };
    }
  };

  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/apis/authentication.k8s.io/v1/tokenreviews') return send(404, { kind: 'Status', status: 'Failure', code: 404 });
      if (req.headers.authorization !== `Bearer ${reviewerJwt}`) return send(401, { kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
      state.reviews++;
      let body: { spec?: { token?: string; audiences?: string[] } };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { kind: 'Status', status: 'Failure', code: 400 });
      }
      const status = await review(body.spec?.token ?? '', body.spec?.audiences);
      send(201, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', spec: body.spec, status });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const exp = (sa: ServiceAccountSpec) => Math.floor(Date.now() / 1000) + (sa.expiresIn ?? 3600);
  return {
    host,
    caCert: tls.cert,
    key,
    reviewerJwt,
    get reviews() {
      return state.reviews;
    },
    mint: (sa, k = key) =>
      sign(k, {
        iss: K8S_ISSUER,
        sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
        aud: sa.audiences ?? ['https://kubernetes.default.svc'],
        exp: exp(sa),
        'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: uidOf(sa) }, pod: { name: `${sa.name}-pod`, uid: 'pod-uid' } },
      } as JWTPayload),
    mintLegacy: (sa, k = key) =>
      sign(k, {
        iss: 'kubernetes/serviceaccount',
        sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
        iat: undefined,
        exp: sa.expiresIn === undefined ? undefined : exp(sa),
        'kubernetes.io/serviceaccount/namespace': sa.namespace,
        'kubernetes.io/serviceaccount/secret.name': sa.secretName,
        'kubernetes.io/serviceaccount/service-account.name': sa.name,
        'kubernetes.io/serviceaccount/service-account.uid': uidOf(sa),
      } as JWTPayload),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
