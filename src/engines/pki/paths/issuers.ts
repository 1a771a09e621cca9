/**
 * issuers (LIST) and issuer/:ref with its public forms (pem, der, json). An issuer is found
 * by id, name or `default`; the bare read is for operators, the forms are public as in Vault.
 */
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { invalidRequest } from '../../../errors.js';
import { definePath, type PathDefinition } from '../../../framework/backend.js';
import { allIssuers, issuerOrFail, issuersConfig } from '../storage.js';
import { issuerUpdateFields, issuerWrites } from './issuer-update.js';
import { DER_CERT, issuerData, PEM_CHAIN, refField, type Ctx } from './common.js';

async function listIssuers(ctx: Ctx<unknown>) {
  const issuers = await allIssuers(ctx.storage);
  if (issuers.length === 0) return null;
  const { default: def } = await issuersConfig(ctx.storage);
  const keyInfo: Record<string, unknown> = {};
  for (const i of issuers) keyInfo[i.id] = { issuer_name: i.name, is_default: i.id === def, serial_number: i.serialNumber };
  return { data: { keys: issuers.map((i) => i.id), key_info: keyInfo } };
}

async function readIssuer(ctx: Ctx<{ ref: string }>) {
  return { data: issuerData(await issuerOrFail(ctx.storage, ctx.fields.ref)) };
}

async function readForm(ctx: Ctx<{ ref: string; form: string }>) {
  const issuer = await issuerOrFail(ctx.storage, ctx.fields.ref);
  if (ctx.fields.form === 'json') {
    return { data: { certificate: issuer.certificate, ca_chain: issuer.caChain, issuer_id: issuer.id, issuer_name: issuer.name } };
  }
  if (ctx.fields.form === 'pem') return { file: { contentType: PEM_CHAIN, body: Buffer.from(issuer.certificate) } };
  if (ctx.fields.form === 'der') return { file: { contentType: DER_CERT, body: Buffer.from(new x509.X509Certificate(issuer.certificate).rawData) } };
  throw invalidRequest(`unknown form "${ctx.fields.form}": use pem, der or json`);
}

export function issuerPaths(): PathDefinition[] {
  return [
    definePath({
      pattern: 'issuers/?',
      operations: { list: listIssuers },
      help: { synopsis: "List this mount's issuers by id, with their names and which one is the default." },
    }),
    definePath({
      pattern: 'issuer/:ref',
      fields: { ref: refField, ...issuerUpdateFields },
      operations: { read: readIssuer, ...issuerWrites },
      help: { synopsis: 'Read, change (POST or PATCH: only the fields sent) or delete an issuer.' },
    }),
    definePath({
      pattern: 'issuer/:ref/:form',
      fields: { ref: refField, form: z.string().describe('pem, der or json') },
      operations: { read: readForm },
      help: { synopsis: "An issuer's certificate as PEM, DER, or JSON with its chain; needs no token." },
    }),
  ];
}
