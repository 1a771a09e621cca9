import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentConfigError, mergeConfigs, parseAgentConfigText } from './parse.js';

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => mergeConfigs([parseAgentConfigText(text, 'agent.hcl')], env);
const fails = (text: string, pattern: RegExp) =>
  assert.throws(() => parse(text), (err: unknown) => err instanceof AgentConfigError && pattern.test(err.message));

const AUTH = `
auto_auth {
  method "approle" {
    config = { role_id_file_path = "/r" }
  }
}
`;

describe('agent configuration', () => {
  it('reads template, env_template, template_config and exec into the runner and supervisor shapes', () => {
    const c = parse(`${AUTH}
template_config {
  static_secret_render_interval = "30s"
  exit_on_retry_failure = true
}
template {
  source = "/etc/app/db.ctmpl"
  destination = "/etc/app/db.conf"
  perms = 0600
  command = "systemctl reload app"
  command_timeout = "10s"
  error_on_missing_key = true
}
template {
  contents = "[[ .Data ]]"
  destination = "/etc/app/b"
  left_delimiter = "[["
  right_delimiter = "]]"
  exec {
    command = ["pkill", "-HUP", "app"]
    timeout = "5s"
  }
}
`);
    const e = parse(`${AUTH}
env_template "DB_PASSWORD" {
  contents = "x"
  error_on_missing_key = true
}
exec {
  command = ["./app", "serve"]
}
`);
    assert.deepEqual(c.templates, [
      { source: '/etc/app/db.ctmpl', destination: '/etc/app/db.conf', perms: 0o600, command: 'systemctl reload app', commandTimeoutMs: 10_000, errorOnMissingKey: true },
      { contents: '[[ .Data ]]', destination: '/etc/app/b', leftDelimiter: '[[', rightDelimiter: ']]', command: ['pkill', '-HUP', 'app'], commandTimeoutMs: 5_000 },
    ]);
    assert.deepEqual(e.envTemplates, [{ name: 'DB_PASSWORD', contents: 'x', errorOnMissingKey: true }]);
    assert.deepEqual(c.templateConfig, { staticSecretRenderIntervalMs: 30_000, exitOnRetryFailure: true });
    assert.deepEqual(e.exec, { command: ['./app', 'serve'], restartOnSecretChanges: 'always', restartStopSignal: 'SIGTERM' });
  });

  it('reads the JSON form with typed method and sink lists', () => {
    const c = parse(JSON.stringify({
      vault: { address: 'http://127.0.0.1:8200', retry: { num_retries: 3 } },
      auto_auth: {
        method: [{ type: 'jwt', mount_path: 'auth/ci', config: { path: '/jwt', role: 'ci' } }],
        sink: [
          { type: 'file', wrap_ttl: '5m', config: { path: '/t', mode: '0600' } },
          { type: 'file', config: { path: '/u', mode: 416 } },
        ],
      },
      cache: { use_auto_auth_token: 'force' },
      listener: [{ tcp: { address: '127.0.0.1:8100', tls_disable: true } }],
    }));
    assert.deepEqual(c.autoAuth?.method.settings, { type: 'jwt', role: 'ci', path: '/jwt', removeJwtAfterReading: true });
    assert.equal(c.autoAuth?.method.mountPath, 'auth/ci');
    assert.deepEqual(c.autoAuth?.sinks, [
      { type: 'file', path: '/t', mode: 0o600, wrapTtlSeconds: 300 },
      { type: 'file', path: '/u', mode: 0o640 },
    ]);
    assert.deepEqual(c.apiProxy, { useAutoAuthToken: 'force' });
    assert.equal(c.vault.numRetries, 3);
  });

  it('lets VAULT_ADDR and the other VAULT_* variables override the vault stanza', () => {
    const c = parse(`vault { address = "http://a:1" }\n${AUTH}`, { VAULT_ADDR: 'http://b:2', VAULT_SKIP_VERIFY: 'true', VAULT_CACERT: '/ca.pem' });
    assert.equal(c.vault.address, 'http://b:2');
    assert.equal(c.vault.tlsSkipVerify, true);
    assert.equal(c.vault.caCert, '/ca.pem');
  });

  it('names the file, stanza and line of an unknown key, and of wrong values', () => {
    fails(`${AUTH}\nvault {\n  adress = "x"\n}`, /agent\.hcl: vault\.adress, line 9: unknown key "adress"/);
    fails(`${AUTH}\ncachee {}`, /top level\.cachee, line 8: unknown key "cachee"/);
    fails(`auto_auth {\n  method "approle" {\n    config = { role_id_file_path = "/r", secret_id_path = "/s" }\n  }\n}`, /auto_auth\.method "approle"\.config\.secret_id_path, line 3: unknown key "secret_id_path"/);
    fails(`auto_auth {\n  method "aws" {\n    config = {}\n  }\n}`, /unsupported auto_auth method "aws"/);
    fails(`auto_auth {\n  method "approle" {\n    config = {}\n  }\n}`, /role_id_file_path.*is required/);
    fails(`${AUTH}\nexec { command = "./app" }`, /exec\.command.*non-empty list of strings/);
    fails(`${AUTH}\nexec {\n command = ["a"]\n restart_on_secret_changes = "sometimes"\n}`, /"always" or "never"/);
    fails(`${AUTH}\nexec {\n command = ["a"]\n restart_stop_signal = "SIGNOPE"\n}`, /not a signal name/);
    fails(`${AUTH}\ntemplate { destination = "/x" }`, /needs source .* or contents/);
    fails(`${AUTH}\nenv_template "1BAD" { contents = "x" }\nexec { command = ["a"] }`, /not a valid environment variable name/);
    fails(`${AUTH}\nenv_template "A" { contents = "x" }`, /env_template needs an exec stanza/);
    fails(`${AUTH}\napi_proxy { use_auto_auth_token = true }`, /api_proxy needs a listener/);
    fails(`api_proxy { use_auto_auth_token = true }\nlistener "tcp" {\n address = "127.0.0.1:1"\n tls_disable = true\n}`, /use_auto_auth_token needs an auto_auth stanza/);
    fails(`${AUTH}\nlistener "tcp" { address = "127.0.0.1:1" }`, /needs tls_cert_file and tls_key_file/);
    fails(`${AUTH}\nlistener "unix" { address = "/s" }`, /unsupported listener type "unix"/);
    fails(`auto_auth {\n  method "approle" {\n    config = { role_id_file_path = "/r" }\n  }\n  sink "file" {\n    config = { path = "/t", mode = "rw" }\n  }\n}`, /sink "file"\.config\.mode.*octal/);
    fails(`pid_file = "/x"`, /nothing to do/);
    fails(`${AUTH}\ntemplate {\n contents = "x"\n destination = "/x"\n}\nexec { command = ["a"] }`, /template stanzas cannot be used with exec/);
    fails(`${AUTH}\nenv_template "A" { source = "/nonexistent/a.ctmpl" }\nexec { command = ["a"] }`, /env_template "A"\.source.*cannot read \/nonexistent\/a\.ctmpl: ENOENT/);
    fails(`${AUTH}\nenv_template "A" {\n contents = "x"\n left_delimiter = "[["\n}\nexec { command = ["a"] }`, /left_delimiter.*not supported in an env_template/);
    fails(`vault {`, /agent\.hcl: line \d+, column \d+/);
  });
});
