/** `tally workspace set-rate NAME CURRENCY RATE`: the workspace's USD rate table (SPEC §3). */
import type { Command } from 'commander';
import { checkCurrencyRate } from '../../domain/currency.js';
import {
  CliError,
  withStoreOptions,
  requireWorkspace,
  withStore,
  type StoreFlags,
} from '../common.js';

/** Adds `set-rate` to the `workspace` command, which must be registered first. */
export function registerCurrencyCommands(program: Command): void {
  const workspace = program.commands.find((command) => command.name() === 'workspace');
  if (!workspace) throw new Error('register the workspace commands before set-rate');
  const setRate = workspace
    .command('set-rate')
    .description(
      'set the USD value of one unit of a currency; purchases in it (past ones too) count in revenue',
    )
    .argument('<name>', 'workspace name')
    .argument('<currency>', 'ISO 4217 code, e.g. EUR')
    .argument('<rate>', 'USD per unit, e.g. 1.08')
    .action(async (name: string, code: string, rateText: string, flags: StoreFlags) => {
      const currency = code.toUpperCase();
      const rate = Number(rateText);
      try {
        checkCurrencyRate(currency, rate);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      await withStore(flags, async (store) => {
        const found = await requireWorkspace(store, name);
        await store.setCurrencyRate(found.id, currency, rate);
        console.log(`workspace ${JSON.stringify(name)}: 1 ${currency} = ${rate} USD`);
      });
    });
  withStoreOptions(setRate);
}
