/** `coffer patch PATH K=V…`: a JSON merge patch of the data at a path. */
import { defineCommand } from '../command.js';
import { writeData } from './write-data.js';

export default defineCommand({
  name: 'patch',
  output: 'field',
  flags: {
    force: { type: 'bool', default: false, aliases: ['f'], usage: 'Send the patch even when no data is given.' },
  },
  help: `Usage: coffer patch [options] PATH [DATA K=V...]

  Sends a JSON merge patch to PATH: the given fields are changed, others kept.
  The endpoint must support the patch operation. Data is given as for "write"
  (key=value, key=@file, key=-, or - for a JSON object on stdin).

      $ coffer patch auth/token/roles/deploy orphan=true
`,
  run(ctx, args, flags) {
    return writeData(ctx, args, flags, (api, path, data) => api.patch(path, data));
  },
});
