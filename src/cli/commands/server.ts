/**
 * `coffer server`: wired to the server command, which parses its own flags. Loaded on
 * demand: the server's modules (Fastify, SQLite…) would otherwise slow every other command.
 */
import type { RawCommand } from '../dispatch.js';
import { UsageError } from '../flags.js';

const server: RawCommand = {
  name: 'server',
  synopsis: 'Start a Coffer server',
  async raw(argv, io) {
    const { serverCommand, serverHelp } = await import('../server-command.js');
    try {
      return await serverCommand(argv);
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr.write(`${err.message}\n\n${serverHelp}`);
        return 2;
      }
      throw err;
    }
  },
};

export default server;
