/**
 * OpenAPI 3 for every mounted backend, generated from the same path tables that validate
 * requests (sys/internal/specs/openapi).
 */
import { z } from 'zod';
import type { Backend } from './backend.js';

const METHOD_BY_OPERATION: Record<string, string> = { read: 'get', create: 'post', update: 'post', patch: 'patch', delete: 'delete' };

function toSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

export function buildOpenApi(mounts: { routedPath: string; backend: Backend }[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { routedPath, backend } of mounts) {
    for (const def of backend.paths) {
      if (def.spec.unpublished) continue;
      const url = `/${routedPath}${def.pattern.openapi}`;
      const shape = def.schema.shape;
      const params = new Set(def.pattern.params);
      const item: Record<string, unknown> = {
        description: def.spec.help?.synopsis ?? backend.help,
        parameters: def.pattern.params.map((name) => ({
          name,
          in: 'path',
          required: true,
          schema: toSchema(shape[name]!),
        })),
      };
      const bodyShape = Object.fromEntries(Object.entries(shape).filter(([k]) => !params.has(k)));
      for (const op of Object.keys(def.spec.operations)) {
        if (op === 'list') {
          item.get = {
            ...(item.get as object),
            parameters: [{ name: 'list', in: 'query', required: true, schema: { type: 'string', enum: ['true'] } }],
            responses: { 200: { description: 'OK' } },
          };
          continue;
        }
        const method = METHOD_BY_OPERATION[op];
        if (!method || item[method]) continue;
        const operation: Record<string, unknown> = {
          summary: def.spec.help?.synopsis,
          responses: { 200: { description: 'OK' }, 204: { description: 'empty body' } },
        };
        if ((method === 'post' || method === 'patch') && Object.keys(bodyShape).length > 0) {
          operation.requestBody = { content: { 'application/json': { schema: toSchema(z.object(bodyShape)) } } };
        }
        item[method] = operation;
      }
      paths[url] = item;
    }
  }
  return {
    openapi: '3.0.2',
    info: { title: 'Coffer API', description: 'HTTP API that gives you full access to Coffer.', version, license: { name: 'MPL-2.0' } },
    paths,
  };
}
