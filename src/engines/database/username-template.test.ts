/** Username templates: Vault's default for PostgreSQL and the functions custom templates use. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresqlPlugin } from './plugins/postgresql/index.js';
import { renderUsername, TemplateError } from './username-template.js';

const input = { DisplayName: 'token-display-name', RoleName: 'readonly-role' };

describe('username templates', () => {
  it("renders Vault's PostgreSQL default: v-<display 8>-<role 8>-<20 random>-<unix time>, at most 63", () => {
    const name = renderUsername(postgresqlPlugin.defaultUsernameTemplate, input);
    assert.match(name, /^v-token-di-readonly-[A-Za-z0-9]{20}-\d{10}$/);
    const long = renderUsername(postgresqlPlugin.defaultUsernameTemplate, { DisplayName: 'x'.repeat(50), RoleName: 'y'.repeat(50) });
    assert.ok(long.length <= 63);
  });

  it('supports pipes, literals and the string functions', () => {
    assert.equal(renderUsername('{{.RoleName | uppercase | replace "-" "_"}}', input), 'READONLY_ROLE');
    assert.equal(renderUsername('u_{{.DisplayName | truncate 5 | lowercase}}', input), 'u_token');
    assert.match(renderUsername('{{random 8}}', input), /^[A-Za-z0-9]{8}$/);
    assert.match(renderUsername('{{ printf "%s-%d" .RoleName unix_time }}', input), /^readonly-role-\d+$/);
    assert.equal(renderUsername('{{ "a\\"b" }}', input), 'a"b');
  });

  it('names what is wrong with a bad template', () => {
    assert.throws(() => renderUsername('{{nope 3}}', input), (e: Error) => e instanceof TemplateError && /"nope" not defined/.test(e.message));
    assert.throws(() => renderUsername('{{.Secret}}', input), /unknown field/);
    assert.throws(() => renderUsername('{{random 5', input), /unclosed/);
    assert.throws(() => renderUsername('{{ (random 5 }}', input), /missing "\)"/);
  });
});
