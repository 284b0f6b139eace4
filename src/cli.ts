#!/usr/bin/env node
/**
 * aicc-exporter's command line. `run` (default) serves metrics; `simulate` runs the CC-CMS
 * simulator; `calls` / `call` are read-only look-ups; `--check-config` validates and exits.
 * Exit codes: 0 ok, 1 runtime/CMS failure, 2 usage or configuration error.
 */
import { runCommand } from './commands/run-command.js';
import { simulateCommand } from './commands/simulate-command.js';
import { callsCommand, callCommand } from './commands/call-commands.js';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
  simulate: simulateCommand,
  calls: callsCommand,
  call: callCommand,
};

const USAGE = `Usage: aicc-exporter [command] [options]

Commands:
  run (default)   poll the CC-CMS and serve Prometheus metrics
                  (without --config: a demo against an embedded simulator)
  simulate        run the CC-CMS simulator
  calls           print an agent's current call IDs
  call            print a call's basic information

Run 'aicc-exporter <command> --help' for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first !== undefined && !first.startsWith('-')) {
    const command = COMMANDS[first];
    if (!command) {
      process.stderr.write(`aicc-exporter: unknown command '${first}'\n\n${USAGE}`);
      return 2;
    }
    return command(argv.slice(1));
  }
  return runCommand(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Whatever handle is still open (a keep-alive socket, say) must not keep a finished command alive.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (err: unknown) => {
    process.stderr.write(`aicc-exporter: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
