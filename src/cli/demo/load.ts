/**
 * Installs the demo in a store: the `demo` workspace, its campaign definitions and the generated
 * events, ingested exactly as `POST /events` ingests them (normalizeEvent, then Store.ingest).
 */
import { normalizeEvent } from '../../ingest/currents.js';
import type { NormalizedEvent } from '../../domain/event.js';
import type { Store, Workspace } from '../../store/store.js';
import { DEMO_CAMPAIGNS, DEMO_CURRENCY_RATES } from './campaigns.js';
import { demoEventBatches, type DemoOptions, type RawEvent } from './generator.js';

export const DEMO_WORKSPACE = 'demo';
/** UTC, so the demo's "today" is the day its data ends on. */
export const DEMO_TIME_ZONE = 'UTC';

export interface LoadTotals {
  readonly events: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly ignored: number;
  readonly conflicts: number;
}

/** Normalises and ingests batch after batch; `onBatch` hears the running event count. */
export async function ingestBatches(
  store: Store,
  workspaceId: string,
  batches: Iterable<RawEvent[]>,
  onBatch: (loaded: number) => void,
): Promise<LoadTotals> {
  const totals = { events: 0, accepted: 0, duplicates: 0, ignored: 0, conflicts: 0 };
  for (const batch of batches) {
    const events = batch.map((raw): NormalizedEvent => {
      const result = normalizeEvent(raw);
      // The generator only writes valid events; an invalid one is a bug worth stopping for.
      if (!result.ok) throw new Error(`demo event ${String(raw.id)} is invalid: ${result.reason}`);
      return result.event;
    });
    const outcome = await store.ingest(workspaceId, events);
    totals.events += events.length;
    totals.accepted += outcome.accepted;
    totals.duplicates += outcome.duplicates;
    totals.ignored += outcome.ignored;
    totals.conflicts += outcome.conflicts.length;
    onBatch(totals.events);
  }
  return totals;
}

/** The demo workspace with its campaigns defined and its currency rates set, and no events yet. */
export async function prepareDemoWorkspace(store: Store, definedAtMs?: number): Promise<Workspace> {
  const workspace = await store.createWorkspace(DEMO_WORKSPACE, DEMO_TIME_ZONE);
  for (const campaign of DEMO_CAMPAIGNS) {
    await store.defineCampaign(workspace.id, campaign.definition, definedAtMs);
  }
  for (const [currency, usdPerUnit] of Object.entries(DEMO_CURRENCY_RATES)) {
    await store.setCurrencyRate(workspace.id, currency, usdPerUnit);
  }
  return workspace;
}

/**
 * Creates the demo workspace, defines its campaigns, sets its currency rates and loads its events.
 * `definedAtMs` dates the definitions (default: now), for answers that must not change between
 * runs (the API reference's examples, test/support/api-examples.ts).
 */
export async function installDemo(
  store: Store,
  options: DemoOptions & { readonly definedAtMs?: number },
  onBatch: (loaded: number) => void,
): Promise<{ readonly workspace: Workspace; readonly totals: LoadTotals }> {
  const workspace = await prepareDemoWorkspace(store, options.definedAtMs);
  const totals = await ingestBatches(store, workspace.id, demoEventBatches(options), onBatch);
  return { workspace, totals };
}
