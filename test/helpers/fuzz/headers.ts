/**
 * Fuzz request headers: mostly the root token, sometimes none, a throwaway or a junk token,
 * or an Authorization header of any shape; and the optional Vault headers.
 */
import { SAFE, VISIBLE } from './alphabets.js';
import type { Prng } from './prng.js';
import type { FuzzInputs } from './requests.js';

/** The credential: an X-Vault-Token or Authorization header (or neither). */
function tokenHeaders(r: Prng, inputs: FuzzInputs): Record<string, string> {
  const kind = r.weighted([
    [70, 'root'],
    [9, 'none'],
    [8, 'throwaway'],
    [9, 'junk'],
    [4, 'bearer'],
  ] as const);
  const junk = () =>
    r.pick([
      () => '',
      () => `hvs.${r.string(24, SAFE)}`,
      () => r.string(r.range(1, r.pick([40, 8000])), VISIBLE),
      () => 'root',
      () => 'null',
      () => ' ' + inputs.rootToken.slice(0, 10),
      () => `${inputs.rootToken.slice(0, -1)}X`,
      () => 'a b c',
    ])();
  switch (kind) {
    case 'root':
      return { 'X-Vault-Token': inputs.rootToken };
    case 'none':
      return {};
    case 'throwaway':
      return { 'X-Vault-Token': r.pick(inputs.throwawayTokens) };
    case 'junk':
      return { 'X-Vault-Token': junk() };
    case 'bearer':
      return {
        Authorization: r.pick([
          `Bearer ${inputs.rootToken}`,
          `bearer   ${inputs.rootToken}  `,
          `Bearer ${junk()}`,
          'Bearer',
          'Bearer ',
          'Basic Zm9vOmJhcg==',
          `Token ${inputs.rootToken}`,
          `Bearer ${'x'.repeat(6000)}`,
        ]),
        ...(r.chance(0.3) ? { 'X-Vault-Token': junk() } : {}),
      };
  }
}

/**
 * A request's headers: its credential (see tokenHeaders), then now and then a wrapping TTL, a
 * Content-Type (only with a body), a namespace, X-Vault-Request and X-Forwarded-For.
 */
export function requestHeaders(r: Prng, inputs: FuzzInputs, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = tokenHeaders(r, inputs);
  if (r.chance(0.08)) headers['X-Vault-Wrap-TTL'] = r.pick(['', '5m', '60', '0', '-1', 'abc', '1e400', '99999999999999999999', ' ', '5 m', '1h1h', 'Infinity']);
  if (hasBody && r.chance(0.35)) {
    headers['Content-Type'] = r.pick([
      'application/json', '', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
      'application/json; charset=latin1', 'application/json; charset=utf-16', 'a/b/c', '*/*', ';;;', 'application/octet-stream',
    ]);
  }
  if (r.chance(0.05)) headers['X-Vault-Namespace'] = r.pick(['', 'ns1/', '../', 'x'.repeat(300)]);
  if (r.chance(0.05)) headers['X-Vault-Request'] = r.pick(['true', 'false', '']);
  if (r.chance(0.03)) headers['X-Forwarded-For'] = r.pick(['1.2.3.4', 'junk', '::1, 10.0.0.1']);
  return headers;
}
