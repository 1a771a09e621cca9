import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SCHEMES, trustEnv, startDevServer, type TestServer } from '../helpers/dev-server.js';
import { GROUPS_DN, PEOPLE_DN, startSlapd, type TestSlapd } from '../helpers/slapd.js';
import { runHvacScript } from './python.js';

describe('hvac auth.ldap against a real dev server and OpenLDAP', () => {
  let ldap: TestSlapd;
  let caFile: string;
  before(async () => {
    ldap = await startSlapd();
    caFile = join(mkdtempSync(join(tmpdir(), 'coffer-ldap-ca-')), 'ca.pem');
    writeFileSync(caFile, ldap.caPem);
  });
  after(() => ldap?.stop());

  for (const scheme of SCHEMES) {
    describe(`over ${scheme}`, () => {
      let t: TestServer;
      before(async () => {
        t = await startDevServer({}, {}, scheme);
      });
      after(() => t.close());

      it('configures, manages groups and users, logs in and deletes through auth.ldap', async () => {
        const { code, out } = await runHvacScript('hvac_ldap.py', [t.address, t.rootToken, ldap.url, PEOPLE_DN, GROUPS_DN, caFile], trustEnv(t));
        assert.equal(code, 0, out);
        assert.match(out, /ok hvac ldap/);
      });
    });
  }
});
