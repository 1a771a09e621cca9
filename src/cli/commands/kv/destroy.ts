/** `coffer kv destroy -versions=N KEY`: remove versions' data for good (KV version 2). */
import { versionsCommand } from './versions-command.js';

export default versionsCommand({
  action: 'destroy',
  verb: 'Destroy',
  help: `Usage: coffer kv destroy [options] KEY

  Permanently removes the data of the given versions of the secret at KEY, on
  KV version 2 mounts. Their metadata remains, marked destroyed.

      $ coffer kv destroy -versions=1,2 secret/creds
`,
});
