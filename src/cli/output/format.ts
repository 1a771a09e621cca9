/**
 * Output in the format the user chose (`-format`, or `VAULT_FORMAT`): the table, JSON and
 * YAML renderings of a secret, a list, or plain data, and `-field`'s raw value.
 */
import type { Context } from '../context.js';
import { secretJson, sortKeys, toJson } from './json.js';
import { goValue, listTable, mapTable, secretTable } from './table.js';
import { toYaml } from './yaml.js';

type Secret = Record<string, unknown>;

function wrap(text: string, width = 80, pad = 0): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width - pad) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out.map((l) => ' '.repeat(pad) + l).join('\n');
}

/** Words re-flowed to 80 columns, as the Vault CLI wraps its messages. */
export const wrapAtLength = (text: string, pad = 0): string =>
  text
    .split('\n')
    .map((para) => (para.trim() === '' ? '' : wrap(para, 80, pad)))
    .join('\n');

export function printWarnings(ctx: Context, secret: Secret | null | undefined): void {
  const warnings = secret?.warnings;
  if (!Array.isArray(warnings) || warnings.length === 0) return;
  ctx.err('WARNING! The following warnings were returned from the server:\n');
  for (const w of warnings) ctx.err(`${wrapAtLength(`* ${String(w)}`, 2)}\n`);
}

function emit(ctx: Context, value: unknown): void {
  ctx.out(ctx.format === 'yaml' ? toYaml(value) : toJson(value));
}

export function outputSecret(ctx: Context, secret: Secret): number {
  if (ctx.format === 'table') {
    printWarnings(ctx, secret);
    const text = secretTable(secret);
    if (text !== '') ctx.out(text);
    return 0;
  }
  emit(ctx, secretJson(secret));
  return 0;
}

export function outputList(ctx: Context, secret: Secret): number {
  const data = secret.data as Record<string, unknown> | null | undefined;
  const keys = Array.isArray(data?.keys) ? (data!.keys as unknown[]) : [];
  if (ctx.format === 'table') {
    printWarnings(ctx, secret);
    const text = listTable(keys);
    if (text !== '') ctx.out(text);
    return 0;
  }
  emit(ctx, keys);
  return 0;
}

/**
 * Plain data: a map as Key/Value rows, or JSON/YAML. `ordered` keeps the object's own key
 * order in JSON (for fixed-shape answers such as a seal status); maps are otherwise sorted.
 */
export function outputData(ctx: Context, data: unknown, opts: { ordered?: boolean } = {}): number {
  if (ctx.format === 'table') {
    if (Array.isArray(data)) {
      const text = listTable(data);
      if (text !== '') ctx.out(text);
    } else if (data !== null && typeof data === 'object') {
      const text = mapTable(data as Record<string, unknown>);
      if (text !== '') ctx.out(text);
    } else ctx.out(goValue(data));
    return 0;
  }
  emit(ctx, opts.ordered ? data : sortKeys(data));
  return 0;
}

/** A raw value: with a newline on a terminal, without one when piped (as Vault's CLI). */
export function printRaw(ctx: Context, text: string): number {
  ctx.io.stdout.write(ctx.io.stdout.isTTY ? `${text}\n` : text);
  return 0;
}

/** The value `-field` names in a secret, looking where Vault's CLI looks. */
export function secretField(secret: Secret, field: string): unknown {
  const data = (secret.data ?? {}) as Record<string, unknown>;
  const auth = secret.auth as Record<string, unknown> | null | undefined;
  const wrap = secret.wrap_info as Record<string, unknown> | null | undefined;
  if (auth) {
    const map: Record<string, unknown> = {
      token: auth.client_token,
      token_accessor: auth.accessor,
      token_duration: auth.lease_duration,
      token_renewable: auth.renewable,
      token_policies: auth.token_policies,
      identity_policies: auth.identity_policies,
      policies: auth.policies,
    };
    return field in map ? map[field] : data[field];
  }
  if (wrap) {
    const map: Record<string, unknown> = {
      wrapping_token: wrap.token,
      wrapping_accessor: wrap.accessor,
      wrapping_token_ttl: wrap.ttl,
      wrapping_token_creation_time: wrap.creation_time,
      wrapping_token_creation_path: wrap.creation_path,
      wrapped_accessor: wrap.wrapped_accessor,
    };
    return field in map ? map[field] : data[field];
  }
  switch (field) {
    case 'lease_duration':
    case 'refresh_interval':
      return secret.lease_duration;
    case 'lease_id':
      return secret.lease_id;
    case 'request_id':
      return secret.request_id;
    case 'renewable':
      return secret.renewable;
    case 'data':
      return 'data' in data ? data.data : data;
    default:
      return data[field];
  }
}

/** `-field`: one value, raw in table format, else encoded as JSON or YAML. 1 when absent. */
export function printField(ctx: Context, value: unknown, field: string, what = 'secret'): number {
  if (value === undefined || value === null) {
    ctx.err(`Field "${field}" not present in ${what}`);
    return 1;
  }
  if (ctx.format === 'table') return printRaw(ctx, goValue(value));
  return printRaw(ctx, ctx.format === 'yaml' ? toYaml(value) : toJson(value));
}

export function printSecretField(ctx: Context, secret: Secret, field: string): number {
  if (ctx.format === 'table') printWarnings(ctx, secret);
  return printField(ctx, secretField(secret, field), field);
}

/** The value `-field` names when it is given, else the whole secret. */
export function outputSecretOrField(ctx: Context, secret: Secret): number {
  if (ctx.field) return printSecretField(ctx, secret, ctx.field);
  return outputSecret(ctx, secret);
}
