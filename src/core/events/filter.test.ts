import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCofferError } from '../../errors.js';
import type { PublishedEvent } from './event.js';
import { compileEventTypePattern } from './event-type-pattern.js';
import { compileEventFilter } from './filter.js';

const event = (type: string, metadata: Record<string, string>, mount = 'secret/'): PublishedEvent => ({
  id: 'e',
  type,
  time: 0,
  metadata,
  plugin: { mount_class: 'secret', mount_accessor: 'kv_1', mount_path: mount, plugin: 'kv', version: '2' },
  readPath: metadata.path ?? '',
});
const write = event('kv-v2/data-write', { operation: 'data-write', data_path: 'secret/data/foo', path: 'secret/data/foo' });
const v1 = event('kv-v1/write', { operation: 'write', data_path: 'kv/foo', path: 'kv/foo' }, 'kv/');

const refused = (filter: string, fragment: RegExp) =>
  assert.throws(
    () => compileEventFilter(filter),
    (e: unknown) => isCofferError(e) && e.kind === 'InvalidRequest' && fragment.test(e.message),
  );

describe('event filters', () => {
  it('compares the fields Vault exposes with == and !=', () => {
    assert.equal(compileEventFilter('data_path == "secret/data/foo"')!(write), true);
    assert.equal(compileEventFilter('data_path == "secret/data/bar"')!(write), false);
    assert.equal(compileEventFilter('operation != write')!(v1), false);
    assert.equal(compileEventFilter('source_plugin_mount == "kv/"')!(v1), true);
    assert.equal(compileEventFilter('event_type == `kv-v2/data-write`')!(write), true);
  });

  it('combines with and, or, not and parentheses, and binds and tighter than or', () => {
    const f = compileEventFilter('operation == "write" or event_type == "kv-v2/data-write" and not data_path == "secret/data/foo"')!;
    assert.equal(f(v1), true);
    assert.equal(f(write), false);
    const g = compileEventFilter('(operation == "write" or event_type == "kv-v2/data-write") and not data_path == "kv/foo"')!;
    assert.deepEqual([g(v1), g(write)], [false, true]);
  });

  it('lets everything through when empty', () => {
    assert.equal(compileEventFilter(undefined), undefined);
    assert.equal(compileEventFilter('  '), undefined);
  });

  it('refuses what it cannot evaluate, naming it', () => {
    refused('data_path matches "secret/.*"', /unsupported operator "matches"/);
    refused('"x" in data_path', /expected a selector, found "x"/);
    refused('metadata.password == "x"', /unknown selector "metadata.password"/);
    refused('data_path == "unterminated', /unterminated string/);
    refused('(operation == "write"', /missing "\)"/);
    refused('operation = "write"', /only == and != compare/);
    refused('operation == "write" extra', /unexpected "extra"/);
    refused('not '.repeat(40) + 'operation == "x"', /nested too deeply/);
  });
});

describe('event type patterns', () => {
  it('matches literals exactly and * as any run of characters', () => {
    const cases: [string, string, boolean][] = [
      ['kv-v2/data-write', 'kv-v2/data-write', true],
      ['kv-v2/data-write', 'kv-v2/data-patch', false],
      ['*', 'database/rotate', true],
      ['kv*', 'kv-v1/write', true],
      ['kv*', 'database/rotate', false],
      ['kv-v2/data-*', 'kv-v2/data-delete', true],
      ['kv-v2/data-*', 'kv-v2/metadata-write', false],
      ['*/write', 'kv-v1/write', true],
      ['kv*write', 'kv-v2/metadata-write', true],
      ['kv*-*write', 'kv-v1/write', true],
      ['kv*data*', 'kv-v2/delete', false],
    ];
    for (const [pattern, type, want] of cases) assert.equal(compileEventTypePattern(pattern)(type), want, `${pattern} ~ ${type}`);
  });
});
