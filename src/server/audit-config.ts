/**
 * The audit settings of a server configuration file, in OpenBao's shape:
 *
 *   audit "file" "main" {
 *     description = "the main log"
 *     options { file_path = "/var/log/coffer/audit.log" }
 *   }
 *   unsafe_allow_api_audit_creation = false   # sys/audit may enable devices (default off)
 *   allow_audit_log_prefixing       = false   # a device may have a `prefix` (default off)
 *
 * Devices are declared here because whoever may enable one chooses where the server writes
 * and what each line begins with; with API creation and prefixes open, sudo on sys/audit
 * was enough to put a line into /etc/cron.d (the class of CVE-2025-6000).
 *
 * Each stanza is checked here as sys/audit would check it, so a mistake stops the start
 * instead of surfacing at unseal. The older `disable_api_audit_creation` is still read:
 * `true` says what is now the default; `false` asked for the unsafe behaviour under a name
 * that no longer gives it, so it stops the start with a message naming the new setting
 * rather than be ignored.
 */
import { z } from 'zod';
import { normalizeAuditPath } from '../core/audit/audit-manager.js';
import { auditPathsConflict } from '../core/audit/audit-table.js';
import type { ConfiguredAuditDevice } from '../core/audit/configured-devices.js';
import { parseDeviceOptions } from '../core/audit/device-options.js';
import type { ServerConfig } from './server-config.js';

/** What the caller's file readers (config-file.ts) give this module. */
export interface AuditReaders {
  fail(message: string): never;
  bool(value: unknown, name: string): boolean;
}

interface AuditBlock {
  labels: string[];
  body: Record<string, unknown>;
}

const KNOWN = ['description', 'options', 'local'];

// `options { ... }` (a block) and `options = { ... }` both arrive as one object; values are
// kept as strings, as sys/audit keeps them.
const stanzaSchema = z.strictObject({
  description: z.string().optional(),
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  local: z.unknown().optional(),
});

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown setting ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: ${KNOWN.join(', ')})`;
  const where = issue.path.length ? `"${issue.path.join('.')}"` : 'the block';
  return `${where}: ${issue.message}`;
}

type AuditSettings = Pick<ServerConfig, 'unsafeAllowApiAuditCreation' | 'allowAuditLogPrefixing' | 'audits'>;

export function parseAuditConfig(tree: Record<string, unknown>, auditBlocks: AuditBlock[], r: AuditReaders): AuditSettings {
  const allowAuditLogPrefixing = r.bool(tree.allow_audit_log_prefixing, 'allow_audit_log_prefixing');
  let unsafeAllowApiAuditCreation = r.bool(tree.unsafe_allow_api_audit_creation, 'unsafe_allow_api_audit_creation');
  if (tree.disable_api_audit_creation !== undefined) {
    const disable = r.bool(tree.disable_api_audit_creation, 'disable_api_audit_creation');
    if (!disable) {
      r.fail('"disable_api_audit_creation = false" no longer turns on enabling audit devices through the API: declare devices in audit stanzas, or set unsafe_allow_api_audit_creation = true');
    }
    if (unsafeAllowApiAuditCreation) r.fail('"disable_api_audit_creation = true" and "unsafe_allow_api_audit_creation = true" contradict each other: keep only the second');
    unsafeAllowApiAuditCreation = false;
  }

  const audits: ConfiguredAuditDevice[] = [];
  for (const block of auditBlocks) {
    const [type = '', rawPath = ''] = block.labels;
    const name = `audit ${JSON.stringify(type)} ${JSON.stringify(rawPath)}`;
    // `audit "file" { options { ... } }` reads as a device at the path "options": say what is missing.
    const hint = KNOWN.includes(rawPath) ? ' (an audit stanza takes two labels: audit "<type>" "<path>" { ... })' : '';
    const problem = (message: string): never => r.fail(`${name}: ${message}${hint}`);
    const parsed = stanzaSchema.safeParse(block.body);
    if (!parsed.success) problem(parsed.error.issues.map(describeIssue).join('; '));
    const body = parsed.data!;
    const options = Object.fromEntries(Object.entries(body.options ?? {}).map(([k, v]) => [k, String(v)]));
    let path = '';
    try {
      path = normalizeAuditPath(rawPath);
      parseDeviceOptions(type, options);
    } catch (err) {
      problem(err instanceof Error ? err.message : String(err));
    }
    if ((options.prefix ?? '') !== '' && !allowAuditLogPrefixing) problem('the "prefix" option needs allow_audit_log_prefixing = true');
    const clash = audits.find((a) => auditPathsConflict(a.path, path));
    if (clash) problem(`its path clashes with the audit stanza at "${clash.path}"`);
    audits.push({ path, type, description: body.description ?? '', options, local: r.bool(body.local, `${name}.local`) });
  }
  return { unsafeAllowApiAuditCreation, allowAuditLogPrefixing, audits };
}
