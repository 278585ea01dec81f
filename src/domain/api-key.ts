/**
 * What an operator sees of an API key (SPEC §6: keys are listed, never shown again in full, and
 * revoked): a stable id, a short non-secret prefix, its permissions and dates.
 */
import type { Permission } from './permissions.js';

export interface ApiKeyInfo {
  /** `key_` + the first 12 hex digits of the key's SHA-256: stable, and says nothing of the key. */
  readonly id: string;
  readonly workspaceId: string;
  /** The key's first characters (`tly_AbCd`), to tell keys apart; '' for keys made before 0.2. */
  readonly prefix: string;
  readonly permissions: readonly Permission[];
  /** null for keys made before dates were kept. */
  readonly createdAtMs: number | null;
  readonly lastUsedMs: number | null;
  readonly expiresAtMs: number | null;
  readonly revokedAtMs: number | null;
}

/** The id of the key whose stored hash this is. */
export function keyIdOf(keyHash: string): string {
  return `key_${keyHash.slice(0, 12)}`;
}

/** What a new key records beside its hash. */
export interface NewKeyDetails {
  readonly prefix: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number | null;
}
