/** `tally campaign define FILE.json`: the body of `POST /campaigns/define`, from a file. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { validateCampaignDefinition } from '../../domain/campaign-definition.js';
import {
  CliError,
  withStoreOptions,
  requireWorkspace,
  withStore,
  type StoreFlags,
} from '../common.js';

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

interface DefineFlags extends StoreFlags {
  readonly workspace: string;
}

export function registerCampaignCommands(program: Command): void {
  const define = program
    .command('campaign')
    .description('define campaigns')
    .command('define')
    .description(
      'define (or redefine) a campaign from a JSON file: name, channels, variations, conversions',
    )
    .argument('<file>', 'JSON file with the definition, as POST /campaigns/define takes it')
    .requiredOption('--workspace <name>', 'workspace of the campaign')
    .action(async (file: string, flags: DefineFlags) => {
      const result = validateCampaignDefinition(await readJson(file));
      if (!result.ok) throw new CliError(`${file}: ${result.message}`);
      const { definition } = result;
      await withStore(flags, async (store) => {
        const workspace = await requireWorkspace(store, flags.workspace);
        await store.defineCampaign(workspace.id, definition);
      });
      console.log(
        `defined campaign ${JSON.stringify(definition.campaign_id)} in workspace ${JSON.stringify(flags.workspace)}`,
      );
    });
  withStoreOptions(define);
}
