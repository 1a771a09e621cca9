/**
 * sys/audit (list, enable, disable), sys/audit-hash and sys/config/auditing/request-headers.
 * The list answers with each device under `data` and at the top level, as Vault does.
 */
import { z } from 'zod';
import { invalidRequest, unsupportedOperation } from '../../errors.js';
import { definePath } from '../../framework/backend.js';
import { f } from '../../framework/fields.js';
import type { Response } from '../../logical/request.js';
import { describeAuditEntry } from '../audit/audit-table.js';
import { normalizeHeaderName } from '../audit/audited-headers.js';
import type { Core } from '../core.js';

/** Clients send `{"log_raw": true}` as often as `{"log_raw": "true"}`; devices keep strings. */
const optionsField = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .transform((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)])))
  .optional();

const DEVICE_HELP = `Enable (PUT/POST, sudo) or disable (DELETE, sudo) an audit device at a path.
Enabling needs unsafe_allow_api_audit_creation = true in the server's configuration file (on
in dev mode), and "prefix" needs allow_audit_log_prefixing = true. Devices declared in audit
stanzas of that file cannot be changed or disabled here.
Types and their options:
  file    file_path (absolute path, "stdout" or "discard"; never inside the server's storage
          or configuration directory, never a symbolic link or an executable file; an
          existing file must be empty or an audit log of this device), mode (octal, default
          "0600"; "0000" leaves it alone)
  socket  address (host:port, or a socket path with socket_type=unix), socket_type (tcp|unix),
          write_timeout (default 2s; 0 waits forever)
  syslog  facility (default AUTH), tag (default coffer), address (default 127.0.0.1:514):
          RFC 5424 over UDP to the local agent's network input, since Node cannot reach
          /dev/log; a message larger than one datagram (~64 KiB) fails
  all     format (json), prefix, log_raw (default false), hmac_accessor (default true),
          elide_list_responses (default false)`;

export function auditPaths(core: Core) {
  const devices = () => core.auditDevices;
  return [
    definePath({
      pattern: 'audit/:path*',
      fields: {
        path: z.string(),
        type: z.string().optional(),
        description: z.string().optional(),
        options: optionsField,
        local: f.bool().optional(),
      },
      operations: {
        read: ({ fields }): Response => {
          if (fields.path !== '') throw unsupportedOperation('read one audit device through the list at sys/audit');
          const data: Record<string, unknown> = {};
          for (const entry of devices().list()) data[entry.path] = describeAuditEntry(entry);
          return { data, legacyTopLevel: true };
        },
        update: async ({ fields }) => {
          if (fields.path === '') throw invalidRequest('an audit device path is required: PUT sys/audit/<path>');
          if (!fields.type) throw invalidRequest('an audit device type is required: "type" is missing (file, socket or syslog)');
          await devices().enable(fields.path, { type: fields.type, description: fields.description, options: fields.options, local: fields.local });
          return null;
        },
        delete: async ({ fields }) => {
          if (fields.path === '') throw invalidRequest('an audit device path is required: DELETE sys/audit/<path>');
          await devices().disable(fields.path);
          return null;
        },
      },
      help: { synopsis: 'List, enable and disable audit devices.', description: DEVICE_HELP },
    }),
    definePath({
      pattern: 'audit-hash/:path*',
      fields: { path: z.string(), input: z.string().optional() },
      operations: {
        update: ({ fields }): Response => {
          if (fields.path === '') throw invalidRequest('an audit device path is required: POST sys/audit-hash/<path>');
          if (fields.input === undefined || fields.input === '') throw invalidRequest('the "input" parameter is empty');
          return { data: { hash: devices().hash(fields.path, fields.input) }, legacyTopLevel: true };
        },
      },
      help: {
        synopsis: "The HMAC an audit device writes for a value, with that device's salt.",
        description: 'POST {"input": "<value>"} → {"hash": "hmac-sha256:…"}: search a log for a known token or secret.',
      },
    }),
    definePath({
      pattern: 'config/auditing/request-headers',
      operations: {
        read: (): Response => ({ data: { headers: Object.fromEntries(devices().headers.table) }, legacyTopLevel: true }),
      },
      help: { synopsis: 'The request headers that audit entries record.' },
    }),
    definePath({
      pattern: 'config/auditing/request-headers/:header',
      fields: { header: z.string(), hmac: f.bool().optional() },
      operations: {
        read: ({ fields }): Response => {
          const name = normalizeHeaderName(fields.header);
          const settings = devices().headers.table.get(name);
          if (!settings) throw invalidRequest(`header "${name}" is not configured for auditing`);
          return { data: { [name]: settings }, legacyTopLevel: true };
        },
        update: async ({ fields }) => {
          await devices().headers.set(fields.header, fields.hmac ?? false);
          return null;
        },
        delete: async ({ fields }) => {
          await devices().headers.remove(fields.header);
          return null;
        },
      },
      help: {
        synopsis: 'Record a request header in audit entries (PUT {"hmac": true} to hash its value), or stop recording it.',
        description: 'Headers that carry credentials (X-Vault-Token, Authorization, Cookie) are hashed even with hmac=false.',
      },
    }),
  ];
}
