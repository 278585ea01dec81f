/**
 * Sends (SPEC §4): how long a send id's series counts, and which credits it takes. One home
 * for both stores; change the window here and every store follows (with a new RULES_VERSION).
 */
import type { Credit } from './attribution.js';

/** SPEC §4: a send counts what happens before its first receipt + 14 days. */
export const SEND_WINDOW_DAYS = 14;
const SEND_WINDOW_MS = SEND_WINDOW_DAYS * 86_400_000;

/**
 * A send's cutoff (SPEC §4): its first receipt + 14 days. Before any receipt there is none yet,
 * so everything of the send counts: Number.MAX_SAFE_INTEGER is later than any accepted instant
 * and, unlike Infinity, a value ClickHouse can bind.
 */
export function sendCutoffMs(firstReceiptMs: number | null): number {
  return firstReceiptMs === null ? Number.MAX_SAFE_INTEGER : firstReceiptMs + SEND_WINDOW_MS;
}

/**
 * SPEC §4: a credit counts in a send's series when it is attributed to a receipt of that send
 * and the event that converted comes before the send's cutoff (first receipt + 14 days).
 */
export function countsInSend(credit: Credit, sendId: string, cutoffMs: number): boolean {
  return credit.sendId === sendId && credit.eventMs < cutoffMs;
}
