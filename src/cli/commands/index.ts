/**
 * Every `coffer` command, as a tree: name, one line of description, and where its code is.
 * Commands load only when run. Adding one is a file and a line here.
 */
import type { Group, LazyCommand } from '../dispatch.js';
import agent from './agent.js';
import server from './server.js';

const cmd = (name: string, synopsis: string, load: LazyCommand['load']): LazyCommand => ({ name, synopsis, load });

/** Shown first in `coffer -help`, as Vault lists its everyday commands. */
export const COMMON = ['read', 'write', 'delete', 'list', 'login', 'server', 'status'];

export const ROOT: Group = {
  name: '',
  description: '',
  synopsis: '',
  children: [
    cmd('read', 'Read the data at a path', () => import('./read.js')),
    cmd('write', 'Write data or configuration to a path', () => import('./write.js')),
    cmd('delete', 'Delete the data at a path', () => import('./delete.js')),
    cmd('list', 'List the keys under a path', () => import('./list.js')),
    cmd('patch', 'Change some fields of the data at a path', () => import('./patch.js')),
    cmd('login', 'Authenticate and store the token', () => import('./login.js')),
    server,
    agent,
    cmd('status', 'Show whether the server is sealed, and its HA state', () => import('./status.js')),
    cmd('path-help', "Show the server's help for an API path", () => import('./path-help.js')),
    cmd('unwrap', 'Open a wrapping token and print what it held', () => import('./unwrap.js')),
    {
      name: 'kv',
      synopsis: 'Work with key/value secrets (either KV version)',
      description: `  Reads and writes secrets in key/value mounts of either KV version. The
  version of the mount is detected; on version 2 the commands use its data/,
  metadata/, delete/, undelete/ and destroy/ paths for you.

      $ coffer kv put secret/creds password=s3cret
      $ coffer kv get secret/creds`,
      children: [
        cmd('kv get', 'Read a secret (a chosen version on KV v2)', () => import('./kv/get.js')),
        cmd('kv put', 'Write a secret (a new version on KV v2)', () => import('./kv/put.js')),
        cmd('kv patch', 'Change some fields of a secret, keeping the rest (KV v2)', () => import('./kv/patch.js')),
        cmd('kv delete', 'Delete a secret, or soft-delete versions (KV v2)', () => import('./kv/delete.js')),
        cmd('kv undelete', 'Restore soft-deleted versions (KV v2)', () => import('./kv/undelete.js')),
        cmd('kv destroy', 'Remove versions for good (KV v2)', () => import('./kv/destroy.js')),
        cmd('kv list', 'List the keys under a path', () => import('./kv/list.js')),
        {
          name: 'kv metadata',
          synopsis: 'Work with secret metadata (KV v2)',
          description: `  Reads and changes the metadata of KV version 2 secrets: settings such as
  max versions, custom metadata, and the state of each version.`,
          children: [
            cmd('kv metadata get', "Show a secret's metadata and versions", () => import('./kv/metadata-get.js')),
            cmd('kv metadata put', "Set a secret's settings and custom metadata", () => import('./kv/metadata-put.js')),
            cmd('kv metadata patch', "Change some of a secret's settings or custom metadata", () => import('./kv/metadata-patch.js')),
            cmd('kv metadata delete', 'Delete a secret with all its versions', () => import('./kv/metadata-delete.js')),
          ],
        },
      ],
    },
    {
      name: 'audit',
      synopsis: 'Enable, disable and list audit devices',
      description: `  Enables, disables and lists the audit devices that record every request.

      $ coffer audit enable file file_path=/var/log/coffer/audit.log
      $ coffer audit list`,
      children: [
        cmd('audit enable', 'Enable an audit device', () => import('./audit/enable.js')),
        cmd('audit disable', 'Disable an audit device', () => import('./audit/disable.js')),
        cmd('audit list', 'List the enabled audit devices', () => import('./audit/list.js')),
      ],
    },
    {
      name: 'lease',
      synopsis: 'Look up, renew and revoke leases',
      description: `  Looks up, renews and revokes the leases of dynamic secrets and tokens.

      $ coffer lease renew -increment=1h database/creds/readonly/2f6a614c4aa6e39c0bd3e8a1
      $ coffer lease revoke -prefix database/creds/`,
      children: [
        cmd('lease lookup', "Show a lease's expiry and TTL", () => import('./lease/lookup.js')),
        cmd('lease renew', 'Extend a lease', () => import('./lease/renew.js')),
        cmd('lease revoke', 'Revoke a lease, or every lease under a prefix', () => import('./lease/revoke.js')),
      ],
    },
    {
      name: 'operator',
      synopsis: 'Initialize, unseal, seal, rekey and rotate the server',
      description: `  Initialization, unsealing and sealing, rekeying, key rotation and root
  token generation: the tasks of whoever runs the server.`,
      children: [
        cmd('operator init', 'Initialize a new server', () => import('./operator/init.js')),
        cmd('operator unseal', 'Submit an unseal key share', () => import('./operator/unseal.js')),
        cmd('operator seal', 'Seal the server', () => import('./operator/seal.js')),
        cmd('operator step-down', 'Make the active HA node hand over to a standby', () => import('./operator/step-down.js')),
        cmd('operator rekey', 'Replace the unseal key shares', () => import('./operator/rekey.js')),
        cmd('operator key-status', 'Show the barrier key term in use', () => import('./operator/key-status.js')),
        cmd('operator rotate', 'Add a new barrier key term', () => import('./operator/rotate.js')),
        cmd('operator migrate', 'Copy all stored data to another storage backend', () => import('./operator/migrate.js')),
        cmd('operator generate-root', 'Make a new root token from unseal key shares', () => import('./operator/generate-root.js')),
      ],
    },
    {
      name: 'secrets',
      synopsis: 'Enable, tune, move and list secrets engines',
      description: `  Enables, disables, tunes, moves and lists secrets engines.

      $ coffer secrets enable -version=2 -path=team kv
      $ coffer secrets list`,
      children: [
        cmd('secrets enable', 'Mount a secrets engine', () => import('./secrets/enable.js')),
        cmd('secrets disable', 'Unmount a secrets engine and drop its data', () => import('./secrets/disable.js')),
        cmd('secrets list', 'List the mounted secrets engines', () => import('./secrets/list.js')),
        cmd('secrets tune', "Change a mount's TTLs, description or options", () => import('./secrets/tune.js')),
        cmd('secrets move', 'Move a mount to another path, data included', () => import('./secrets/move.js')),
      ],
    },
    {
      name: 'auth',
      synopsis: 'Enable, tune and list auth methods',
      description: `  Enables, disables, tunes and lists auth methods. To log in with one, use
  "coffer login".`,
      children: [
        cmd('auth enable', 'Enable an auth method', () => import('./auth/enable.js')),
        cmd('auth disable', 'Disable an auth method and revoke its tokens', () => import('./auth/disable.js')),
        cmd('auth list', 'List the enabled auth methods', () => import('./auth/list.js')),
        cmd('auth tune', "Change an auth method's TTLs, description or options", () => import('./auth/tune.js')),
      ],
    },
    {
      name: 'policy',
      synopsis: 'Read, write, list and format ACL policies',
      description: `  Reads, writes, lists and deletes ACL policies, and formats policy files.

      $ coffer policy write app-read app-read.hcl`,
      children: [
        cmd('policy read', "Print a policy's text", () => import('./policy/read.js')),
        cmd('policy write', 'Upload a policy from a file or stdin', () => import('./policy/write.js')),
        cmd('policy list', 'List the policy names', () => import('./policy/list.js')),
        cmd('policy delete', 'Delete a policy', () => import('./policy/delete.js')),
        cmd('policy fmt', 'Format a policy file in place, offline', () => import('./policy/fmt.js')),
      ],
    },
    {
      name: 'token',
      synopsis: 'Create, inspect, renew and revoke tokens',
      description: `  Creates, looks up, renews and revokes tokens, and shows what a token may do.

      $ coffer token create -policy=app-read -ttl=1h`,
      children: [
        cmd('token create', 'Create a token', () => import('./token/create.js')),
        cmd('token lookup', "Show a token's properties", () => import('./token/lookup.js')),
        cmd('token renew', "Extend a token's TTL", () => import('./token/renew.js')),
        cmd('token revoke', 'Revoke a token (and its children)', () => import('./token/revoke.js')),
        cmd('token capabilities', 'Show what a token may do on a path', () => import('./token/capabilities.js')),
      ],
    },
  ],
};
