import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type TestServer } from '../helpers/dev-server.js';
import { cliWith, show, tempDir } from './run-cli.js';

describe('coffer audit enable|list|disable', () => {
  let t: TestServer;
  let cli: ReturnType<typeof cliWith>;
  const dir = tempDir('coffer-cli-audit-');
  const log = join(dir, 'audit.log');
  before(async () => {
    t = await startDevServer();
    cli = cliWith({ COFFER_ADDR: t.address, COFFER_TOKEN: t.rootToken, HOME: dir });
  });
  after(() => t.close());

  it('enables a file device with options, lists it, records requests, and disables it', async () => {
    const none = await cli(['audit', 'list']);
    assert.equal(none.code, 2, show(none));
    const enable = await cli(['audit', 'enable', '-description=main log', 'file', `file_path=${log}`, 'mode=0640']);
    assert.equal(enable.code, 0, show(enable));
    assert.match(enable.stdout, /Success! Enabled the file audit device at: file\//);
    const list = await cli(['audit', 'list', '-detailed']);
    assert.equal(list.code, 0, show(list));
    assert.match(list.stdout, /file\/\s+file\s+main log\s+replicated\s+map\[.*file_path:/);
    const json = await cli(['audit', 'list', '-format=json']);
    assert.equal((JSON.parse(json.stdout) as Record<string, { type: string }>)['file/']!.type, 'file');
    await cli(['kv', 'put', 'secret/audited', 'password=cli-audit-secret']);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /"path":"secret\/data\/audited"/);
    assert.ok(!text.includes('cli-audit-secret'));
    const disable = await cli(['audit', 'disable', 'file']);
    assert.equal(disable.code, 0, show(disable));
    assert.equal((await cli(['audit', 'list'])).code, 2);
  });

  it('names the problem when a device cannot be enabled', async () => {
    const relative = await cli(['audit', 'enable', 'file', 'file_path=relative.log']);
    assert.equal(relative.code, 1, show(relative));
    assert.match(relative.stderr, /Error enabling audit device: [\s\S]*file_path/);
    assert.equal(existsSync(join(dir, 'relative.log')), false);
    const unknown = await cli(['audit', 'enable', 'carrier-pigeon']);
    assert.equal(unknown.code, 1, show(unknown));
    assert.match(unknown.stderr, /carrier-pigeon/);
    const missing = await cli(['audit', 'disable']);
    assert.equal(missing.code, 2, show(missing));
  });
});
