/**
 * The `file` sink: the auth token (or, with wrap_ttl, a wrapping token for it) written to
 * a file with the configured mode (its directory made if missing). Writes are atomic (temp
 * file beside it, fsync, rename, directory fsync), so a reader never sees half a token,
 * and the mode is set before the token is in the file.
 */
import { WRAP_TTL_HEADER, type ApiClient } from '../../api/client.js';
import type { FileSinkConfig } from '../config/types.js';
import { writeFileAtomic } from '../render/write-file.js';
import { requestOrThrow } from '../request.js';

/**
 * What the sink holds for `token`: the token itself, or with wrap_ttl the JSON of the
 * wrap_info of a wrapping token for it (as Vault Agent writes it; the reader unwraps).
 */
async function sinkContent(client: ApiClient, sink: FileSinkConfig, token: string): Promise<string> {
  if (!sink.wrapTtlSeconds) return token;
  const body = await requestOrThrow<{ wrap_info?: Record<string, unknown> }>(client, 'POST', 'sys/wrapping/wrap', { token }, {
    'X-Vault-Token': token,
    [WRAP_TTL_HEADER]: `${sink.wrapTtlSeconds}s`,
  });
  if (!body?.wrap_info) throw new Error('the server answered the wrap request without wrap_info');
  return JSON.stringify(body.wrap_info);
}

export async function writeSink(client: ApiClient, sink: FileSinkConfig, token: string): Promise<void> {
  await writeFileAtomic(sink.path, await sinkContent(client, sink, token), sink.mode);
}
