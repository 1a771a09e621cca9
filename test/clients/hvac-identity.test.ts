import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { runHvacScript } from './python.js';

for (const scheme of SCHEMES) describe(`hvac secrets.identity against a real dev server over ${scheme}`, () => {
  let t: TestServer;
  before(async () => {
    t = await startDevServer({}, {}, scheme);
  });
  after(() => t.close());

  it('creates, reads, looks up, lists and deletes entities, aliases and groups, and logs in as the entity', async () => {
    const { code, out } = await runHvacScript('hvac_identity.py', [t.address, t.rootToken], trustEnv(t));
    assert.equal(code, 0, out);
    for (const s of ['create_or_update_entity', 'read_entity, read_entity_by_name', 'create_or_update_entity_alias', 'create_or_update_group', 'login maps to the entity', 'lookup_entity', 'list_entities', 'delete_group, delete_entity']) {
      assert.ok(out.includes(`ok ${s}`), `missing step "${s}" in:\n${out}`);
    }
    assert.match(out, /ok hvac identity/);
  });
});
