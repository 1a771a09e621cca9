import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatPolicy, PolicyFormatError } from '../../src/cli/policy-fmt.js';
import { runCli, show, tempDir } from './run-cli.js';

const MESSY = `# Team policy


path    "secret/data/*"   {
capabilities=["create","read",   "update"]
    max_wrapping_ttl =   "1h" # cap wrapping
  min_wrapping_ttl="1s"
}
path "sys/mounts" {capabilities = ["read"]}
path "secret/metadata/*" {
  capabilities = [
      "list", # listing only
    "read"
  ]

  allowed_parameters = {
  "version" = []
  }


}
path "auth/token/lookup-self" {
}
`;

const TIDY = `# Team policy

path "secret/data/*" {
  capabilities     = ["create", "read", "update"]
  max_wrapping_ttl = "1h" # cap wrapping
  min_wrapping_ttl = "1s"
}

path "sys/mounts" {
  capabilities = ["read"]
}

path "secret/metadata/*" {
  capabilities = [
    "list", # listing only
    "read",
  ]

  allowed_parameters = {
    "version" = []
  }
}

path "auth/token/lookup-self" {}
`;

describe('policy fmt formatting', () => {
  it('re-indents, aligns "=", normalizes lists and blank lines, and keeps comments', () => {
    assert.equal(formatPolicy(MESSY), TIDY);
  });

  it('is idempotent', () => {
    assert.equal(formatPolicy(TIDY), TIDY);
  });

  it('keeps heredocs verbatim', () => {
    const src = 'path "x" {\ncapabilities = ["read"]\n  description = <<EOT\n  keep   this\nEOT\n}\n';
    assert.equal(formatPolicy(src), 'path "x" {\n  capabilities = ["read"]\n  description = <<EOT\n  keep   this\nEOT\n}\n');
  });

  it('names the line of a syntax error', () => {
    assert.throws(() => formatPolicy('path "x" {\n  capabilities = ["read"]\n'), (e: unknown) => e instanceof PolicyFormatError && /"}"/.test(e.message));
    assert.throws(() => formatPolicy('path "x" {\n  capabilities = ["read]\n}\n'), /line 2: unterminated string/);
    assert.throws(() => formatPolicy('path "x" }\n'), /line 1/);
    assert.throws(() => formatPolicy('path "x" {\n  capabilities = ["a" "b"]\n}'), /line 2: expected "," or "\]"/);
  });
});

describe('coffer policy fmt', () => {
  it('formats the file in place without a server', async () => {
    const file = join(tempDir(), 'team.hcl');
    writeFileSync(file, MESSY);
    const r = await runCli(['policy', 'fmt', file], { env: { HOME: tempDir(), COFFER_ADDR: 'http://127.0.0.1:1' } });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, `Success! Formatted policy: ${file}\n`);
    assert.equal(readFileSync(file, 'utf8'), TIDY);
  });

  it('leaves a broken file alone and exits 1 naming the line', async () => {
    const file = join(tempDir(), 'bad.hcl');
    writeFileSync(file, 'path "x" {\n  capabilities = ["read"\n}\n');
    const r = await runCli(['policy', 'fmt', file], { env: { HOME: tempDir() } });
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /Error parsing policy .*line 3/);
    assert.equal(readFileSync(file, 'utf8'), 'path "x" {\n  capabilities = ["read"\n}\n');
  });

  it('exits 2 with usage when the file is missing from the command line', async () => {
    const r = await runCli(['policy', 'fmt'], { env: { HOME: tempDir() } });
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /Not enough arguments[\s\S]*Usage: coffer policy fmt/);
  });
});
