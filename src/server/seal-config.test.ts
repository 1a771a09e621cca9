/** The transit seal from the environment, as Vault's transit seal reads it, and where the file wins. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from './config-file.js';

const BASE = 'storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = true\n}\n';
const parse = (text: string, env: Record<string, string>) => parseConfigText(text, 'coffer.hcl', env);

describe('seal "transit" in the file', () => {
  it('reads the transit seal with its defaults', () => {
    const config = parse(`${BASE}seal "transit" {\n  address = "https://kms:8200"\n  token = "s.kms"\n  key_name = "autounseal"\n  tls_skip_verify = "true"\n}\n`, {});
    assert.equal(config.seal?.type, 'transit');
    assert.deepEqual(
      { ...config.seal?.config },
      { address: 'https://kms:8200', token: 's.kms', keyName: 'autounseal', mountPath: 'transit/', namespace: undefined, tlsCaCert: undefined, tlsClientCert: undefined, tlsClientKey: undefined, tlsServerName: undefined, tlsSkipVerify: true },
    );
    assert.equal(parse(BASE, {}).seal, undefined);
  });

  it('refuses a transit seal without its key, an unknown seal type, and two seals, naming the file', () => {
    assert.throws(() => parse(`${BASE}seal "transit" {\n  address = "https://kms:8200"\n  token = "t"\n}\n`, {}), /^Error: coffer\.hcl: seal "transit" needs key_name/);
    assert.throws(() => parse(`${BASE}seal "awskms" {\n  kms_key_id = "x"\n}\n`, {}), /^Error: coffer\.hcl: unknown seal type "awskms"/);
    const two = `${BASE}seal "transit" {\n  address = "a"\n  token = "t"\n  key_name = "k"\n}\nseal "transit" {\n  address = "b"\n  token = "t"\n  key_name = "k"\n}\n`;
    assert.throws(() => parse(two, {}), /^Error: coffer\.hcl: at most one seal block/);
  });
});

describe('seal "transit" from the environment', () => {
  it('is turned on by VAULT_SEAL_TYPE=transit without a block, every setting from its variable', () => {
    const config = parse(BASE, {
      VAULT_SEAL_TYPE: 'transit',
      VAULT_ADDR: 'https://kms:8200',
      VAULT_TOKEN: 's.kms',
      VAULT_TRANSIT_SEAL_KEY_NAME: 'autounseal',
      VAULT_TRANSIT_SEAL_MOUNT_PATH: 'kms/',
      VAULT_NAMESPACE: 'ns1/',
      VAULT_CACERT: '/etc/coffer/ca.pem',
      VAULT_TLS_SERVER_NAME: 'kms',
      VAULT_SKIP_VERIFY: 'false',
    });
    assert.deepEqual(config.seal, {
      type: 'transit',
      config: {
        address: 'https://kms:8200',
        token: 's.kms',
        keyName: 'autounseal',
        mountPath: 'kms/',
        namespace: 'ns1/',
        tlsCaCert: '/etc/coffer/ca.pem',
        tlsClientCert: undefined,
        tlsClientKey: undefined,
        tlsServerName: 'kms',
        tlsSkipVerify: false,
      },
    });
  });

  it('fills what the block leaves out from the environment, and the block wins where both say', () => {
    const block = 'seal "transit" {\n  address = "https://kms-from-file:8200"\n  key_name = "from-file"\n}\n';
    const config = parse(BASE + block, { VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 's.env', VAULT_TRANSIT_SEAL_KEY_NAME: 'from-env' });
    assert.equal(config.seal?.config.address, 'https://kms-from-file:8200', "the CLI's VAULT_ADDR does not move the seal");
    assert.equal(config.seal?.config.keyName, 'from-file');
    assert.equal(config.seal?.config.token, 's.env', 'the token stays out of the file');
    assert.equal(config.seal?.config.mountPath, 'transit/');
  });

  it('has no seal without a block or with VAULT_SEAL_TYPE=shamir, even with VAULT_ADDR and VAULT_TOKEN set', () => {
    assert.equal(parse(BASE, { VAULT_ADDR: 'https://kms:8200', VAULT_TOKEN: 's.kms' }).seal, undefined);
    assert.equal(parse(BASE, { VAULT_SEAL_TYPE: 'shamir', VAULT_TOKEN: 's.kms' }).seal, undefined);
  });

  it('refuses an unknown VAULT_SEAL_TYPE, and a setting found in neither place, naming both places', () => {
    assert.throws(() => parse(BASE, { VAULT_SEAL_TYPE: 'awskms' }), /coffer\.hcl: unknown seal type "awskms" in VAULT_SEAL_TYPE/);
    assert.throws(() => parse(BASE, { VAULT_SEAL_TYPE: 'transit', VAULT_ADDR: 'https://kms:8200', VAULT_TRANSIT_SEAL_KEY_NAME: 'k' }), /needs token \(token = "\.\.\." in the seal block, or VAULT_TOKEN in the environment\)/);
    assert.throws(() => parse(BASE, { VAULT_SEAL_TYPE: 'transit', VAULT_TOKEN: 's', VAULT_TRANSIT_SEAL_KEY_NAME: 'k' }), /needs address .*VAULT_ADDR/);
    assert.throws(() => parse(`${BASE}seal "transit" {\n  address = "https://kms:8200"\n}\n`, { VAULT_TOKEN: 's' }), /needs key_name .*VAULT_TRANSIT_SEAL_KEY_NAME/);
  });
});
