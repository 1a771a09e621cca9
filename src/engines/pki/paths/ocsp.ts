/**
 * The OCSP responder over HTTP, unauthenticated as in Vault: POST ocsp with an
 * application/ocsp-request body, GET ocsp/<base64 DER> (RFC 6960 appendix A; the base64 may
 * be URL-encoded and hold '/'), and POST issuer/:ref/ocsp to ask one issuer only.
 */
import { z } from 'zod';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { answerOcsp, MALFORMED, OCSP_RESPONSE_TYPE, UNAUTHORIZED, type OcspAnswer } from '../ocsp.js';
import { findIssuer } from '../storage.js';
import { refField, type Ctx } from './common.js';

const reply = (a: OcspAnswer) => ({ status: a.status, file: { contentType: OCSP_RESPONSE_TYPE, body: a.body } });

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function fromBase64(text: string): Buffer | null {
  const t = text.trim();
  if (!BASE64.test(t) || t.length % 4 === 1) return null;
  return Buffer.from(t, 'base64');
}

async function post(ctx: Ctx<unknown>) {
  return reply(await answerOcsp(ctx.storage, ctx.req.body ?? Buffer.alloc(0), ctx.clock()));
}

async function get(ctx: Ctx<{ req: string }>) {
  const der = fromBase64(ctx.fields.req);
  return reply(der ? await answerOcsp(ctx.storage, der, ctx.clock()) : MALFORMED);
}

async function postForIssuer(ctx: Ctx<{ ref: string }>) {
  const issuer = await findIssuer(ctx.storage, ctx.fields.ref);
  return reply(issuer ? await answerOcsp(ctx.storage, ctx.req.body ?? Buffer.alloc(0), ctx.clock(), issuer) : UNAUTHORIZED);
}

export function ocspPaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'ocsp',
      operations: { update: post },
      help: { synopsis: 'OCSP (RFC 6960): POST a DER request as application/ocsp-request; needs no token.' },
    }),
    definePath({
      pattern: 'ocsp/:req*',
      fields: { req: z.string().describe('The DER OCSP request, base64 (URL-encoded)') },
      operations: { read: get },
      help: { synopsis: 'OCSP (RFC 6960) by GET: the base64 DER request in the path; needs no token.' },
    }),
    definePath({
      pattern: 'issuer/:ref/ocsp',
      fields: { ref: refField },
      operations: { update: postForIssuer },
      help: { synopsis: 'OCSP for one issuer: POST a DER request as application/ocsp-request; needs no token.' },
    }),
  ];
}
