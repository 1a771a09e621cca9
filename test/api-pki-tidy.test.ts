/**
 * tidy, tidy-status, tidy-cancel and config/auto-tidy over HTTP: expired certificates and
 * revocation entries past the safety buffer go, the rest stay, and the CRL rebuilt afterwards
 * (read by openssl) lists only what is left.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { bad, ok, openssl, startPki, type PkiTest } from './helpers/pki.js';

describe('pki tidy over HTTP', () => {
  let x: PkiTest;
  before(async () => {
    x = await startPki();
    await x.write('root/generate/internal', { common_name: 'Tidy Root', ttl: '8760h', key_type: 'ec' });
    await x.write('roles/web', { allowed_domains: 'example.com', allow_subdomains: true });
  });
  after(() => x.t.close());

  const issue = (cn: string, ttl: string) => x.write('issue/web', { common_name: `${cn}.example.com`, ttl });
  const waitFor = async (states: string[]) => {
    for (let i = 0; i < 200; i++) {
      const s = await x.read('tidy-status');
      if (states.includes(s.state)) return s;
      await sleep(50);
    }
    throw new Error(`tidy never reached ${states.join('/')}`);
  };
  const listKeys = async (path: string): Promise<string[]> => {
    const r = await x.call('LIST', `pki/${path}`);
    return r.status === 404 ? [] : (r.body!.data!.keys as string[]);
  };

  it('answers 202 with a warning when no tidy operation is asked for, and the status is Inactive', async () => {
    assert.equal((await x.read('tidy-status')).state, 'Inactive');
    const r = ok(await x.call('POST', 'pki/tidy', {}), 202);
    assert.match(r.body!.warnings!.join(), /no tidy operations were set/);
  });

  it('removes certificates and revocations expired past the safety buffer, keeps the rest, and rebuilds the CRL', async () => {
    const expired = await issue('expired', '1s');
    const expiredRevoked = await issue('expired-revoked', '1s');
    const live = await issue('live', '1h');
    const liveRevoked = await issue('live-revoked', '1h');
    await x.write('revoke', { serial_number: expiredRevoked.serial_number });
    await x.write('revoke', { serial_number: liveRevoked.serial_number });
    await sleep(3000);

    // The default buffer (72h) keeps everything.
    ok(await x.call('POST', 'pki/tidy', { tidy_cert_store: true, tidy_revoked_certs: true }), 202);
    const kept = await waitFor(['Finished']);
    assert.equal(kept.cert_store_deleted_count, 0);
    assert.equal((await listKeys('certs/revoked')).length, 2);

    const r = ok(await x.call('POST', 'pki/tidy', { tidy_cert_store: true, tidy_revoked_certs: true, safety_buffer: '1s' }), 202);
    assert.match(r.body!.warnings!.join(), /Tidy operation successfully started/);
    const s = await waitFor(['Finished']);
    assert.equal(s.cert_store_deleted_count, 2);
    assert.equal(s.revoked_cert_deleted_count, 1);
    assert.equal(s.safety_buffer, 1);
    assert.ok(Date.parse(s.time_finished) >= Date.parse(s.time_started));

    const certs = await listKeys('certs');
    assert.ok(certs.includes(live.serial_number) && certs.includes(liveRevoked.serial_number));
    assert.ok(!certs.includes(expired.serial_number) && !certs.includes(expiredRevoked.serial_number));
    assert.deepEqual(await listKeys('certs/revoked'), [liveRevoked.serial_number]);
    const crl = openssl(['crl', '-in', x.file('tidy-crl.pem', (await x.fetchRaw('crl/pem')).body), '-noout', '-text']).out;
    const hex = (serial: string) => `Serial Number: ${serial.replace(/:/g, '').toUpperCase()}`;
    assert.ok(crl.includes(hex(liveRevoked.serial_number)));
    assert.ok(!crl.includes(hex(expiredRevoked.serial_number)));
  });

  it('refuses a second tidy while one runs, and tidy-cancel stops it between entries', async () => {
    for (let i = 0; i < 4; i++) await issue(`slow${i}`, '1h');
    ok(await x.call('POST', 'pki/tidy', { tidy_cert_store: true, pause_duration: '1s' }), 202);
    assert.equal((await x.read('tidy-status')).state, 'Running');
    bad(await x.call('POST', 'pki/tidy', { tidy_cert_store: true }), /already in progress/);
    const c = await x.write('tidy-cancel');
    assert.equal(c.state, 'Cancelling');
    const s = await waitFor(['Cancelled']);
    assert.ok(s.time_finished);
    assert.match((await x.call('POST', 'pki/tidy-cancel', {})).body!.warnings!.join(), /none is currently running/);
  });

  it('runs tidy from the periodic function once config/auto-tidy says it is due', async () => {
    bad(await x.call('POST', 'pki/config/auto-tidy', { enabled: true }), /no tidy operations/);
    bad(await x.call('POST', 'pki/config/auto-tidy', { interval_duration: 'often' }), /interval_duration/);
    const gone = await issue('auto-expired', '1s');
    const c = await x.write('config/auto-tidy', { enabled: true, interval_duration: '1h', tidy_cert_store: true, safety_buffer: '1s' });
    assert.deepEqual([c.enabled, c.interval_duration, c.tidy_cert_store, c.safety_buffer], [true, 3600, true, 1]);
    assert.equal((await x.read('config/auto-tidy')).interval_duration, 3600);
    const route = x.t.server.core.router.get('pki/')!;
    await route.backend.periodic!({ ...route.base, clock: () => Date.now() + 30 * 60_000 });
    assert.ok((await listKeys('certs')).includes(gone.serial_number), 'not due yet');
    await route.backend.periodic!({ ...route.base, clock: () => Date.now() + 61 * 60_000 });
    assert.ok(!(await listKeys('certs')).includes(gone.serial_number));
    const s = await x.read('tidy-status');
    assert.equal(s.state, 'Finished');
    assert.ok(s.last_auto_tidy_finished);
  });
});
