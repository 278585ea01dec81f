/**
 * `tally serve`: the REST API on the embedded store. The API (Fastify and every route) is
 * imported only when a command serves, so the other commands start in a fraction of the time.
 */
import { Option, type Command } from 'commander';
import { dataDirOption, openStore, parsePort } from '../common.js';

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';

/** `--port` and `--host`, shared with `tally demo`. */
export function listenOptions(): Option[] {
  return [
    new Option('--port <port>', 'TCP port (0: any free port)')
      .argParser(parsePort)
      .default(DEFAULT_PORT),
    new Option('--host <host>', 'interface to listen on (0.0.0.0: every interface)').default(
      DEFAULT_HOST,
    ),
  ];
}

interface ServeFlags {
  readonly port: number;
  readonly host: string;
  readonly data: string;
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('serve the REST API (stops cleanly on SIGTERM or Ctrl-C)')
    .addOption(dataDirOption());
  for (const option of listenOptions()) command.addOption(option);
  command.action(async (flags: ServeFlags) => {
    const { serveApi } = await import('../server.js');
    await serveApi(await openStore(flags.data), { port: flags.port, host: flags.host });
  });
}
