/**
 * The `tally` command (bin/tally.js imports this module). One module per command under
 * commands/; each registers itself on the program. Errors a user can fix are CliErrors:
 * one line on stderr and exit code 1; anything else is a bug and prints its stack.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.js';
import { registerCampaignCommands } from './commands/campaign.js';
import { registerCurrencyCommands } from './commands/currency.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerImportCommand } from './commands/import.js';
import { registerKeyCommands } from './commands/key.js';
import { registerServeCommand } from './commands/serve.js';
import { registerWorkspaceCommands } from './commands/workspace.js';
import { CliError } from './common.js';

// dist*/src/cli/main.js -> the package root, wherever the build folder is.
const packageJson = JSON.parse(
  readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
) as { version: string };

const program = new Command('tally')
  .description('Self-hosted campaign analytics with a Braze-compatible REST API')
  .version(packageJson.version)
  .showHelpAfterError('(run with --help for usage)');

registerServeCommand(program);
registerWorkspaceCommands(program);
registerCurrencyCommands(program);
registerKeyCommands(program);
registerCampaignCommands(program);
registerDemoCommand(program);
registerImportCommand(program);
registerBenchCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CliError) {
    console.error(`tally: ${error.message}`);
  } else {
    console.error('tally: unexpected error:', error);
  }
  process.exitCode = 1;
}
