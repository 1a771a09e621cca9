/**
 * `coffer agent -config=FILE`: Vault Agent's job with Vault Agent's configuration file.
 * The agent's modules load only when it runs. Bad configuration exits 1 with the message
 * (file, stanza, line); bad flags exit 2 with the usage.
 */
import type { RawCommand } from '../dispatch.js';
import { parseFlags, UsageError } from '../flags.js';

export const agentHelp = `Usage: coffer agent -config=<path> [options]

  Start an agent: it logs in to the server with the workload's identity
  (auto_auth), writes the token to sink files and keeps it renewed, serves the
  server's API to local applications with its own token (api_proxy), and runs
  an application as its child (exec). It reads Vault Agent's configuration file,
  HCL or JSON.

      $ coffer agent -config=agent.hcl

Options:
  -config=<path>      Configuration file or directory of *.hcl / *.json files.
                      Repeatable; later files add to or override earlier ones.
  -log-level=<level>  trace, debug, info, warn or error. The default is info.
  -exit-after-auth    Exit once the first token is written to the sinks.
`;

const agent: RawCommand = {
  name: 'agent',
  synopsis: 'Start an agent: auto-auth, token sinks, API proxy, process supervisor',
  async raw(argv, io) {
    let flags;
    try {
      ({ flags } = parseFlags(argv, {
        config: { type: 'string', repeatable: true },
        'log-level': { type: 'string' },
        'exit-after-auth': { type: 'bool' },
        help: { type: 'bool', default: false },
        h: { type: 'bool', default: false },
      }));
      if (flags.help || flags.h) {
        io.stdout.write(agentHelp);
        return 0;
      }
      if (!(flags.config as string[] | undefined)?.length) throw new UsageError('-config is required');
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr.write(`${err.message}\n\n${agentHelp}`);
        return 2;
      }
      throw err;
    }
    const { runAgentCommand } = await import('../../agent/run.js');
    return runAgentCommand(
      {
        configPaths: flags.config as string[],
        logLevel: flags['log-level'] as string | undefined,
        exitAfterAuth: flags['exit-after-auth'] as boolean | undefined,
      },
      io,
    );
  },
};

export default agent;
