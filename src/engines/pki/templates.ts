/**
 * Vault's identity templates in a role's allowed_domains and allowed_uri_sans: the caller's
 * entity fills {{identity.entity.name}}, {{identity.entity.id}},
 * {{identity.entity.metadata.<key>}} and {{identity.entity.aliases.<mount accessor>.name}}.
 * An entry whose template the caller cannot fill (no entity, no such key) allows nothing,
 * as in Vault, rather than allowing the template text itself.
 */
export interface EntityView {
  id: string;
  name: string;
  metadata: Record<string, string>;
  aliases: { mountAccessor: string; name: string }[];
}

const TEMPLATE = /\{\{\s*([^}]+?)\s*\}\}/g;

function resolve(expr: string, e: EntityView): string | undefined {
  if (expr === 'identity.entity.name') return e.name || undefined;
  if (expr === 'identity.entity.id') return e.id || undefined;
  const meta = /^identity\.entity\.metadata\.(.+)$/.exec(expr);
  if (meta) return e.metadata[meta[1]!];
  const alias = /^identity\.entity\.aliases\.([^.]+)\.name$/.exec(expr);
  if (alias) return e.aliases.find((a) => a.mountAccessor === alias[1])?.name;
  return undefined;
}

export function expandTemplates(entries: string[], entity: EntityView | undefined): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    if (!entry.includes('{{')) {
      out.push(entry);
      continue;
    }
    if (!entity) continue;
    let failed = false;
    const value = entry.replace(TEMPLATE, (_, expr: string) => {
      const v = resolve(expr, entity);
      if (v === undefined) failed = true;
      return v ?? '';
    });
    if (!failed) out.push(value);
  }
  return out;
}
