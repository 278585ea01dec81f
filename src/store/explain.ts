/**
 * Explaining a figure (GET /campaigns/data_series/explain): the one pipeline from a figure to
 * the items that make it, over any Store. The store reads the facts (its events of the day, the
 * chains of the unique candidates, the credits of the day); domain/explain.ts decides what
 * counts, with the same rules the figure was counted with.
 */
import {
  chainKeyOf,
  chainOf,
  explainCredits,
  explainEvents,
  explainMembers,
  explainUniques,
  figureSource,
  uniqueCandidates,
  type ChainRef,
  type ExplanationItem,
  type Figure,
} from '../domain/explain.js';
import { localDaySpan } from '../domain/time.js';
import type { Store } from './store.js';

/** Every item of the figure, oldest first. */
export async function explainFigure(
  store: Store,
  workspaceId: string,
  figure: Figure,
): Promise<ExplanationItem[]> {
  const workspace = await store.getWorkspace(workspaceId);
  if (!workspace) throw new Error(`workspace ${workspaceId} does not exist`);
  const zone = workspace.timezone;
  const span = localDaySpan(figure.day, zone);
  const sendId = figure.send?.id ?? null;
  const source = figureSource(figure.metric);
  if (source === 'credits') {
    const credits = await store.creditsOn(
      workspaceId,
      figure.campaignId,
      span,
      sendId,
      figure.metric,
    );
    return explainCredits(figure, credits, zone);
  }
  // The figure's entry only (the control entry: its variation, of no channel; the day: all).
  const { channel, variationId } = figure;
  const query = { span, sendId, channel, variationId };
  const events = await store.campaignEvents(workspaceId, figure.campaignId, query);
  if (source === 'events') return explainEvents(figure, events, zone);
  if (source === 'members') return explainMembers(figure, events, zone);
  const candidates = uniqueCandidates(figure, events, zone);
  const chains = new Map<string, ChainRef>();
  for (const event of candidates) {
    const chain = chainOf(event)!;
    chains.set(chainKeyOf(chain), chain);
  }
  // Later events cannot change an earlier verdict, so the chains end with the span.
  const history = await store.chainEvents(
    workspaceId,
    figure.campaignId,
    [...chains.values()],
    span.toMs,
  );
  return explainUniques(candidates, history);
}
