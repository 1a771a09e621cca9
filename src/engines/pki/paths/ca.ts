/**
 * The default issuer's certificate and chain where Vault publishes them, without a token:
 * `ca` (DER), `ca/pem`, `ca_chain` (PEM), and `cert/ca`, `cert/ca_chain` (JSON).
 */
import * as x509 from '@peculiar/x509';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import type { Response } from '../../../logical/request.js';
import { findIssuer, type IssuerEntry } from '../storage.js';
import { DER_CERT, PEM_CHAIN, type Ctx } from './common.js';

/** With no issuer yet Vault answers these with an empty body; so do we. */
const published = (render: (i: IssuerEntry) => Response) => async (ctx: Ctx<unknown>) => {
  const issuer = await findIssuer(ctx.storage, 'default');
  return issuer ? render(issuer) : { status: 204 };
};

export function caPaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'ca',
      operations: { read: published((i) => ({ file: { contentType: DER_CERT, body: Buffer.from(new x509.X509Certificate(i.certificate).rawData) } })) },
      help: { synopsis: "The default issuer's certificate, DER." },
    }),
    definePath({
      pattern: 'ca/pem',
      operations: { read: published((i) => ({ file: { contentType: PEM_CHAIN, body: Buffer.from(i.certificate) } })) },
      help: { synopsis: "The default issuer's certificate, PEM." },
    }),
    definePath({
      pattern: 'ca_chain',
      operations: { read: published((i) => ({ file: { contentType: PEM_CHAIN, body: Buffer.from(i.caChain.join('')) } })) },
      help: { synopsis: "The default issuer's chain, PEM." },
    }),
    definePath({
      pattern: 'cert/ca',
      operations: { read: published((i) => ({ data: { certificate: i.certificate, revocation_time: 0 } })) },
      help: { synopsis: "The default issuer's certificate, JSON." },
    }),
    definePath({
      pattern: 'cert/ca_chain',
      operations: { read: published((i) => ({ data: { certificate: i.caChain.join(''), ca_chain: i.caChain, revocation_time: 0 } })) },
      help: { synopsis: "The default issuer's chain, JSON." },
    }),
  ];
}
