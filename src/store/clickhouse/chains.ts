/**
 * Unique chains as stored here: `unique_window_ms` 0 stands for "only the first event ever"
 * (columns are not Nullable, see schema.ts). Ranking is sequential (each verdict depends on the
 * last unique event), which SQL on 18.16 cannot express, so chains are ranked in Node.
 */
import { rankChain } from '../../domain/unique-chain.js';

/** The unique verdict of each instant of a chain sorted by (instant, id). */
export function rankStoredChain(windowMs: number, instants: readonly number[]): boolean[] {
  const window = windowMs === 0 ? null : windowMs;
  return rankChain(instants.map((instantMs) => ({ instantMs, windowMs: window })));
}
