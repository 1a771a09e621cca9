/** `coffer write PATH K=V…`: write data to a path. */
import { defineCommand } from '../command.js';
import { writeData } from './write-data.js';

export default defineCommand({
  name: 'write',
  output: 'field',
  flags: {
    force: { type: 'bool', default: false, aliases: ['f'], usage: 'Write even when no data is given (for endpoints that take none).' },
  },
  help: `Usage: coffer write [options] PATH [DATA K=V...]

  Writes data to PATH. Each K=V pair is one field of the request:

    key=value     the literal value
    key=@file     the contents of a file
    key=-         everything on stdin
    -             a JSON object read from stdin (all fields at once)
    @data.json    a JSON object read from a file

  A key given twice becomes a list.

      $ coffer write secret/my-app user=admin password=@password.txt
      $ echo '{"user":"admin"}' | coffer write secret/my-app -
`,
  run(ctx, args, flags) {
    return writeData(ctx, args, flags, (api, path, data) => api.write(path, data));
  },
});
