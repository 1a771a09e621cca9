/** `coffer kv undelete -versions=N KEY`: bring back soft-deleted versions (KV version 2). */
import { versionsCommand } from './versions-command.js';

export default versionsCommand({
  action: 'undelete',
  verb: 'Undelete',
  help: `Usage: coffer kv undelete [options] KEY

  Restores soft-deleted versions of the secret at KEY, on KV version 2 mounts.
  Destroyed versions cannot be restored.

      $ coffer kv undelete -versions=3 secret/creds
`,
});
