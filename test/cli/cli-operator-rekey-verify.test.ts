import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, show, tempDir } from './run-cli.js';

/** The value of one row of a two-column table. */
const row = (text: string, key: string) => new RegExp(`^${key}\\s{2,}(.*)$`, 'm').exec(text)?.[1];

describe('coffer operator rekey -init -verify, then -verify with the new shares', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;
  let newKeys: string[] = [];

  before(async () => {
    t = await startDevServer();
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: tempDir() });
  });
  after(() => t.close());

  it('prints the new shares as not in force yet, with the verification nonce', async () => {
    const init = await cli(['operator', 'rekey', '-init', '-verify', '-key-shares=3', '-key-threshold=2']);
    assert.equal(init.code, 0, show(init));
    assert.equal(row(init.stdout, 'Verification Required'), 'true');
    const done = await cli(['operator', 'rekey', `-nonce=${row(init.stdout, 'Nonce')}`, t.server.dev!.unsealKey]);
    assert.equal(done.code, 0, show(done));
    newKeys = [...done.stdout.matchAll(/^Key \d+: (\S+)$/gm)].map((m) => m[1]!);
    assert.equal(newKeys.length, 3);
    assert.match(done.stdout, /^Verification nonce: [0-9a-f-]{36}$/m);
    assert.match(done.stdout, /NOT in force yet/);
    const status = await cli(['operator', 'rekey', '-status', '-verify']);
    assert.deepEqual([row(status.stdout, 'Started'), row(status.stdout, 'Verification Progress')], ['true', '0/2']);
  });

  it('counts a new share, restarts with -cancel -verify, and installs the shares at the threshold', async () => {
    const nonce = row((await cli(['operator', 'rekey', '-status', '-verify'])).stdout, 'Verification Nonce')!;
    const one = await cli(['operator', 'rekey', '-verify', `-nonce=${nonce}`, newKeys[0]!]);
    assert.equal(row(one.stdout, 'Verification Progress'), '1/2', show(one));
    const restart = await cli(['operator', 'rekey', '-cancel', '-verify']);
    assert.equal(restart.code, 0, show(restart));
    assert.match(restart.stdout, /^Success! Rekey verification restarted/);
    await cli(['operator', 'rekey', '-verify'], { stdin: `${newKeys[1]}\n` });
    const done = await cli(['operator', 'rekey', '-verify'], { stdin: `${newKeys[2]}\n` });
    assert.equal(done.code, 0, show(done));
    assert.match(done.stdout, /^Success! Rekey verification complete/);
    const sealStatus = (await t.anon.raw<{ t: number; n: number }>('GET', 'sys/seal-status')).body!;
    assert.deepEqual([sealStatus.t, sealStatus.n], [2, 3]);
    const none = await cli(['operator', 'rekey', '-verify', newKeys[0]!]);
    assert.equal(none.code, 1, show(none));
    assert.match(none.stderr, /no rekey is in progress/);
  });
});
