/**
 * API keys. A key is shown once, when it is created; the store keeps only its hash, so a
 * leaked database does not leak usable keys.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Permission } from '../domain/permissions.js';
import type { Store } from '../store/store.js';

const KEY_PREFIX = 'tly_';
/** 32 random bytes: 256 bits, far beyond guessing. */
const KEY_BYTES = 32;

/** A new random key, `tly_` + 43 base64url characters. The prefix makes leaked keys greppable. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
}

/**
 * SHA-256 hex of a key. Slow password hashes (bcrypt, scrypt) exist to resist guessing
 * low-entropy passwords; a 256-bit random key cannot be guessed, so a fast hash is as safe
 * and lets every request be authenticated in microseconds.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Characters of a key shown by `tally key list`: `tly_` and 4 of its 43 random ones (24 bits). */
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 4;

/** Creates and stores a key for the workspace; returns the key itself (the only time it exists). */
export async function createApiKey(
  store: Store,
  workspaceId: string,
  permissions: readonly Permission[],
  options: { readonly expiresAtMs?: number | null; readonly nowMs?: number } = {},
): Promise<string> {
  const key = generateApiKey();
  await store.saveApiKey(workspaceId, hashApiKey(key), permissions, {
    prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
    createdAtMs: options.nowMs ?? Date.now(),
    expiresAtMs: options.expiresAtMs ?? null,
  });
  return key;
}
