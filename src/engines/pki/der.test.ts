import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildCertificate, randomSerialHex } from './cert.js';
import { certificateNotAfter, integerFromHex, time } from './der.js';
import { generateKeyPair, keySpec } from './keys.js';

describe('der', () => {
  it('reads notAfter as node does, in UTCTime and GeneralizedTime', async () => {
    const spec = keySpec('ec');
    const keys = await generateKeyPair(spec);
    for (const year of [2030, 2060]) {
      const notAfter = new Date(Date.UTC(year, 4, 6, 7, 8, 9));
      const cert = await buildCertificate(
        { serialHex: randomSerialHex(randomBytes), subject: { commonName: 't' }, publicKey: keys.publicKey, notBefore: new Date(), notAfter, isCa: true },
        { key: keys.privateKey, spec },
      );
      const der = Buffer.from(cert.rawData);
      assert.equal(certificateNotAfter(der), Date.parse(new X509Certificate(der).validTo) / 1000);
      assert.equal(certificateNotAfter(der), notAfter.getTime() / 1000);
    }
  });

  it('encodes serials as minimal positive INTEGERs and times per RFC 5280', () => {
    assert.equal(integerFromHex('00:7f').toString('hex'), '02017f');
    assert.equal(integerFromHex('80').toString('hex'), '02020080');
    assert.equal(integerFromHex('0001:02').toString('hex'), '02020102');
    assert.equal(time(new Date('2049-12-31T23:59:59.900Z')).toString('latin1').slice(2), '491231235959Z');
    assert.equal(time(new Date('2050-01-01T00:00:00Z')).toString('latin1').slice(2), '20500101000000Z');
  });
});
