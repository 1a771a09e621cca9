/** `?help=1` text, rendered from the same table that validates requests. */
import { z } from 'zod';
import type { Backend, PathDefinition } from './backend.js';

export function describeField(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { type?: unknown; description?: string };
  const type = Array.isArray(json.type) ? json.type.join('|') : String(json.type ?? 'any');
  return json.description ? `(${type}) ${json.description}` : `(${type})`;
}

export function renderPathHelp(backend: Backend, def: PathDefinition): string {
  const lines = [`Request:        ${def.spec.pattern}`, `Matching Route: ${def.pattern.openapi}`, ''];
  lines.push(def.spec.help?.synopsis ?? backend.help, '');
  const shape = def.schema.shape;
  const names = Object.keys(shape);
  if (names.length > 0) {
    lines.push('## PARAMETERS', '');
    for (const name of names) lines.push(`${name} ${describeField(shape[name]!)}`);
    lines.push('');
  }
  if (def.spec.help?.description) lines.push('## DESCRIPTION', '', def.spec.help.description);
  return lines.join('\n');
}
