/**
 * A small ACME client for protocol tests, built on jose: it signs requests as RFC 8555 says
 * and lets a test break any part of one (alg, nonce, url, key, signature) to see the answer.
 */
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, FlattenedSign, generateKeyPair, type JWK } from 'jose';

export interface AcmeKey {
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function acmeKey(alg = 'ES256'): Promise<AcmeKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  return { alg, privateKey: privateKey as CryptoKey, jwk: await exportJWK(publicKey) };
}

export interface AcmeResponse {
  status: number;
  headers: Headers;
  type: string | null;
  body: any;
  text: string;
}

export interface SignOptions {
  /** Sign with the key's jwk instead of the account's kid. */
  jwk?: boolean;
  key?: AcmeKey;
  nonce?: string | null;
  url?: string;
  /** Replace the protected header entirely (after signing with the real one: a bad signature). */
  headerOverride?: Record<string, unknown>;
  alg?: string;
}

export const b64u = (v: string | Buffer | Uint8Array) => Buffer.from(v).toString('base64url');

export async function signJws(key: AcmeKey, header: Record<string, unknown>, payload: unknown): Promise<{ protected: string; payload: string; signature: string }> {
  const bytes = payload === '' ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(payload));
  const jws = await new FlattenedSign(bytes).setProtectedHeader({ alg: key.alg, ...header } as never).sign(key.privateKey);
  return { protected: jws.protected!, payload: jws.payload, signature: jws.signature };
}

export class AcmeClient {
  dir: Record<string, any> = {};
  kid = '';
  private nonce = '';
  constructor(
    readonly directoryUrl: string,
    public key: AcmeKey,
  ) {}

  async start(): Promise<this> {
    const res = await fetch(this.directoryUrl);
    this.dir = await res.json();
    return this;
  }

  async newNonce(): Promise<string> {
    const res = await fetch(this.dir.newNonce, { method: 'HEAD' });
    return res.headers.get('replay-nonce')!;
  }

  async thumbprint(key = this.key): Promise<string> {
    return calculateJwkThumbprint(key.jwk, 'sha256');
  }

  async keyAuthorization(token: string): Promise<string> {
    return `${token}.${await this.thumbprint()}`;
  }

  async dns01Value(token: string): Promise<string> {
    return createHash('sha256').update(await this.keyAuthorization(token)).digest('base64url');
  }

  /** POSTs `payload` ('' for POST-as-GET) to `url`, signed as asked. */
  async post(url: string, payload: unknown, opts: SignOptions = {}): Promise<AcmeResponse> {
    const key = opts.key ?? this.key;
    const nonce = opts.nonce === undefined ? this.nonce || (await this.newNonce()) : opts.nonce;
    this.nonce = '';
    const header: Record<string, unknown> = { alg: opts.alg ?? key.alg, url: opts.url ?? url, ...(nonce === null ? {} : { nonce }) };
    if (opts.jwk || !this.kid) header.jwk = key.jwk;
    else header.kid = this.kid;
    const body = await signJws(key, header, payload);
    if (opts.headerOverride) body.protected = b64u(JSON.stringify(opts.headerOverride));
    return this.send(url, body);
  }

  async send(url: string, body: unknown, contentType = 'application/jose+json'): Promise<AcmeResponse> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) });
    this.nonce = res.headers.get('replay-nonce') ?? '';
    const text = await res.text();
    const type = res.headers.get('content-type');
    let parsed: any = text;
    if (type?.includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, type, body: parsed, text };
  }

  async register(payload: Record<string, unknown> = { termsOfServiceAgreed: true, contact: ['mailto:ops@coffer.test'] }): Promise<AcmeResponse> {
    const res = await this.post(this.dir.newAccount, payload, { jwk: true });
    if (res.status === 201 || res.status === 200) this.kid = res.headers.get('location')!;
    return res;
  }
}
