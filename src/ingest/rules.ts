/**
 * The rules of this release as a store applies them to stored payloads (domain/rules-version.ts):
 * the same `normalizeEvent` that `POST /events` and `tally import` run.
 */
import { RULES_VERSION, type DerivationRules } from '../domain/rules-version.js';
import { normalizeEvent } from './currents.js';

export const CURRENT_RULES: DerivationRules = {
  version: RULES_VERSION,
  derive(payload) {
    const result = normalizeEvent(JSON.parse(payload));
    return result.ok ? result.event : null;
  },
};
