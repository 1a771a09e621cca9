/**
 * `config`: where the cluster's API is (for TokenReview) and/or the keys that verify
 * service-account tokens locally. token_reviewer_jwt is kept but never read back.
 *
 * kubernetes_ca_cert is kept as given, as OpenBao (and Vault before 1.17) keep it: a bundle
 * with no usable certificate is refused at login, naming the field (token-review.ts). Without
 * the pod's own CA (disable_local_ca_jwt) a CA must be given, whatever kubernetes_host is.
 */
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type HandlerContext, type PathDefinition } from '../../../framework/backend.js';
import { f } from '../../../framework/fields.js';
import { checkUrl } from '../../shared/fetch-json.js';
import { parsePemKey } from '../service-account.js';
import { getConfig, putConfig, type KubeConfig } from '../storage.js';

const configFields = {
  kubernetes_host: z.string().optional().describe('URL of the Kubernetes API server, e.g. https://10.0.0.1:6443'),
  kubernetes_ca_cert: z.string().optional().describe('PEM CA certificate of the API server'),
  token_reviewer_jwt: z.string().optional().describe('Service-account JWT allowed to call the TokenReview API; never returned'),
  pem_keys: f.commaList().optional().describe('PEM public keys or certificates: verify service-account JWTs locally instead of through TokenReview'),
  issuer: z.string().optional().describe('The "iss" expected in service-account JWTs (local verification)'),
  disable_iss_validation: f.bool().optional().describe('Skip the issuer check (the default)'),
  disable_local_ca_jwt: f.bool().optional().describe('Do not use the pod\u2019s own service-account token and CA when running in a cluster'),
};

type ConfigFields = z.infer<z.ZodObject<typeof configFields>>;

function normalizeHost(raw: string): string {
  const host = raw.trim();
  if (host === '') throw invalidRequest('no host provided: kubernetes_host is required');
  const withScheme = /^[a-z]+:\/\//i.test(host) ? host : `https://${host}`;
  const problem = checkUrl('kubernetes_host', withScheme);
  if (problem) throw invalidRequest(problem);
  return withScheme.replace(/\/+$/, '');
}

async function writeConfig(ctx: HandlerContext<ConfigFields>) {
  const v = ctx.fields;
  const current = await getConfig(ctx.storage);
  const next: KubeConfig = {
    kubernetesHost: normalizeHost(v.kubernetes_host ?? current?.kubernetesHost ?? ''),
    kubernetesCaCert: (v.kubernetes_ca_cert ?? current?.kubernetesCaCert ?? '').trim(),
    tokenReviewerJwt: (v.token_reviewer_jwt ?? current?.tokenReviewerJwt ?? '').trim(),
    pemKeys: (v.pem_keys ?? current?.pemKeys ?? []).filter((k) => k.trim() !== ''),
    issuer: (v.issuer ?? current?.issuer ?? '').trim(),
    disableIssValidation: v.disable_iss_validation ?? current?.disableIssValidation ?? true,
    disableLocalCaJwt: v.disable_local_ca_jwt ?? current?.disableLocalCaJwt ?? false,
  };
  if (next.disableLocalCaJwt && next.kubernetesCaCert === '') throw invalidRequest('kubernetes_ca_cert must be given when disable_local_ca_jwt is true');
  next.pemKeys.forEach((pem, i) => parsePemKey(pem, i));
  if (next.tokenReviewerJwt !== '' && next.tokenReviewerJwt.split('.').length !== 3) throw invalidRequest('token_reviewer_jwt is not a JWT');
  await putConfig(ctx.storage, next);
  return null;
}

export function configPath(): PathDefinition {
  return definePath({
    pattern: 'config',
    fields: configFields,
    operations: {
      read: async (ctx) => {
        const c = await getConfig(ctx.storage);
        if (!c) return null;
        return {
          data: {
            kubernetes_host: c.kubernetesHost,
            kubernetes_ca_cert: c.kubernetesCaCert,
            pem_keys: [...c.pemKeys],
            issuer: c.issuer,
            disable_iss_validation: c.disableIssValidation,
            disable_local_ca_jwt: c.disableLocalCaJwt,
            token_reviewer_jwt_set: c.tokenReviewerJwt !== '',
          },
        };
      },
      create: writeConfig,
      update: writeConfig,
    },
    help: { synopsis: 'Configure how service-account tokens are checked: the cluster\u2019s TokenReview API, or local PEM keys.' },
  });
}
