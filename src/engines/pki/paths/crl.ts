/**
 * The CRLs, public as in Vault: the default issuer's (crl, crl/pem, crl/delta, crl/delta/pem)
 * and any issuer's (issuer/:ref/crl[/der|/pem], issuer/:ref/crl/delta[/der|/pem]); and the
 * operator's crl/rotate and crl/rotate-delta.
 */
import * as x509 from '@peculiar/x509';

import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { crlConfig } from '../crl-config.js';
import { currentCrl, currentDelta, rebuildAll } from '../crl.js';
import { findIssuer, issuerOrFail, type IssuerEntry } from '../storage.js';
import { refField, type Ctx } from './common.js';

type Form = 'der' | 'pem' | 'json';

async function crlOf(ctx: Ctx<unknown>, issuer: IssuerEntry | null, delta: boolean): Promise<string | null> {
  if (!issuer) return null;
  if (!delta) return currentCrl(ctx, issuer);
  return (await crlConfig(ctx.storage)).enable_delta ? currentDelta(ctx, issuer) : null;
}

function answer(pem: string | null, form: Form) {
  if (!pem) return { status: 204 };
  if (form === 'json') return { data: { crl: pem } };
  if (form === 'pem') return { file: { contentType: 'application/x-pem-file', body: Buffer.from(pem) } };
  return { file: { contentType: 'application/pkix-crl', body: Buffer.from(x509.PemConverter.decodeFirst(pem)) } };
}

const defaultCrl = (pattern: string, delta: boolean, form: Form, synopsis: string) =>
  definePath({
    pattern,
    operations: { read: async (ctx) => answer(await crlOf(ctx, await findIssuer(ctx.storage, 'default'), delta), form) },
    help: { synopsis },
  });

const issuerCrl = (suffix: string, delta: boolean, form: Form) =>
  definePath({
    pattern: `issuer/:ref/${suffix}`,
    fields: { ref: refField },
    operations: { read: async (ctx: Ctx<{ ref: string }>) => answer(await crlOf(ctx, await issuerOrFail(ctx.storage, ctx.fields.ref), delta), form) },
    help: { synopsis: `An issuer's ${delta ? 'delta' : 'complete'} CRL as ${form === 'json' ? 'JSON ({"crl": PEM})' : form.toUpperCase()}; needs no token.` },
  });

export function crlPaths(): PathDefinition[] {
  return [
    defaultCrl('crl', false, 'der', "The default issuer's CRL, DER; needs no token."),
    defaultCrl('crl/pem', false, 'pem', "The default issuer's CRL, PEM; needs no token."),
    defaultCrl('crl/delta', true, 'der', "The default issuer's delta CRL, DER (204 unless enable_delta); needs no token."),
    defaultCrl('crl/delta/pem', true, 'pem', "The default issuer's delta CRL, PEM (204 unless enable_delta); needs no token."),
    issuerCrl('crl', false, 'json'),
    issuerCrl('crl/der', false, 'der'),
    issuerCrl('crl/pem', false, 'pem'),
    issuerCrl('crl/delta', true, 'json'),
    issuerCrl('crl/delta/der', true, 'der'),
    issuerCrl('crl/delta/pem', true, 'pem'),
    definePath({
      pattern: 'crl/rotate',
      operations: {
        read: async (ctx) => {
          await rebuildAll(ctx);
          return { data: { success: true } };
        },
      },
      help: { synopsis: "Rebuild every issuer's CRL now (and its delta CRL when enabled)." },
    }),
    definePath({
      pattern: 'crl/rotate-delta',
      fields: {},
      operations: {
        read: async (ctx) => {
          await rebuildAll(ctx, true);
          return { data: { success: true } };
        },
      },
      help: { synopsis: "Rebuild every issuer's delta CRL now." },
    }),
  ];
}
