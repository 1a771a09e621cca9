/**
 * `coffer agent` with bad input, as a user meets it: exit 2 with usage for bad flags, exit 1
 * with one line naming the file, stanza and line for a bad configuration, and several
 * -config files (or a directory) read as one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readIfThere, spawnAgent, stopAllAgents, tempDir, waitFor } from './helpers/agent.js';

after(() => stopAllAgents());

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

describe('coffer agent: command line and configuration errors', () => {
  it('exits 2 with the usage when -config is missing or a flag is unknown', async () => {
    for (const args of [[], ['-nope']]) {
      const agent = spawnAgent(args);
      assert.equal((await agent.exited).code, 2);
      assert.match(agent.stderr(), /Usage: coffer agent -config=<path>/);
    }
  });

  it('exits 1 naming the file, stanza and line of a misspelt key, without a stack trace', async () => {
    const dir = tempDir();
    const path = join(dir, 'agent.hcl');
    writeFileSync(path, `auto_auth {\n  method "approle" {\n    config = {\n      role_id_file_path = "/r"\n      secret_id_file = "/s"\n    }\n  }\n}\n`);
    const agent = spawnAgent([`-config=${path}`]);
    assert.equal((await agent.exited).code, 1);
    assert.match(agent.stderr(), new RegExp(`Error loading configuration: ${path.replace(/[/.]/g, '\\$&')}: auto_auth\\.method "approle"\\.config\\.secret_id_file, line 5: unknown key "secret_id_file"`));
    assert.doesNotMatch(agent.stderr(), STACK_LINE);
  });

  it('exits 1 for an unknown -log-level', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'agent.hcl'), `auto_auth {\n  method "token_file" {\n    config = { token_file_path = "/t" }\n  }\n}\n`);
    const agent = spawnAgent([`-config=${join(dir, 'agent.hcl')}`, '-log-level=loud']);
    assert.equal((await agent.exited).code, 1);
    assert.match(agent.stderr(), /unknown log level "loud"/);
  });

  it('exits 1 for a file that does not exist, and for an HCL syntax error with its position', async () => {
    const missing = spawnAgent(['-config=/nonexistent/agent.hcl']);
    assert.equal((await missing.exited).code, 1);
    assert.match(missing.stderr(), /cannot read config file \/nonexistent\/agent\.hcl: ENOENT/);
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.hcl'), 'auto_auth {\n  method "approle" {\n');
    const bad = spawnAgent([`-config=${join(dir, 'bad.hcl')}`]);
    assert.equal((await bad.exited).code, 1);
    assert.match(bad.stderr(), /bad\.hcl: line \d+, column \d+/);
  });

  it('exits 1 naming the file when a template stanza has no auto_auth to get a token from', async () => {
    const dir = tempDir();
    const path = join(dir, 'agent.hcl');
    writeFileSync(path, `vault { address = "http://127.0.0.1:1" }\napi_proxy {}\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\ntemplate {\n  contents = "x"\n  destination = "${join(dir, 'out')}"\n}\n`);
    const agent = spawnAgent([`-config=${path}`]);
    assert.equal((await agent.exited).code, 1);
    assert.match(agent.stderr(), new RegExp(`Error loading configuration: ${path.replace(/[/.]/g, '\\$&')}: template and env_template stanzas need an auto_auth stanza`));
    assert.doesNotMatch(agent.stderr(), STACK_LINE);
  });

  it('reads several -config files and directories as one configuration', async () => {
    const dir = tempDir();
    const conf = join(dir, 'conf.d');
    mkdirSync(conf);
    writeFileSync(join(dir, 'token'), 'not-checked-until-login');
    // exit_after_auth in one file, auto_auth in another, pid_file in a third in a directory.
    writeFileSync(join(dir, 'a.hcl'), 'exit_after_auth = true\n');
    writeFileSync(join(conf, 'b.hcl'), `auto_auth {\n  method "token_file" {\n    config = { token_file_path = "${join(dir, 'token')}" }\n    exit_on_err = true\n  }\n}\n`);
    writeFileSync(join(conf, 'c.json'), JSON.stringify({ pid_file: join(dir, 'pid'), vault: { address: 'http://127.0.0.1:1' } }));
    const agent = spawnAgent([`-config=${join(dir, 'a.hcl')}`, `-config=${conf}`]);
    // It got as far as logging in (and, with exit_on_err, gave up on the unreachable server).
    const exit = await agent.exited;
    assert.equal(exit.code, 1, agent.stderr());
    assert.match(agent.stderr(), /auto-auth login failed: .*ECONNREFUSED/);
    assert.doesNotMatch(agent.stderr(), /not-checked-until-login/);
    await waitFor('pid file removal', () => readIfThere(join(dir, 'pid')) === undefined);
  });
});
