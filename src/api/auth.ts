/**
 * Who is calling: the API key of a request (SPEC §6) resolved to its workspace and permissions.
 * Messages never contain the key, not even part of it: error bodies end up in client logs.
 */
import type { Store, ApiKeyGrant } from '../store/store.js';
import { hashApiKey } from './keys.js';

export type AuthResult =
  /** `keyHash` names the key (its stored hash) where a refusal must be limited per key. */
  | { readonly ok: true; readonly grant: ApiKeyGrant; readonly keyHash: string }
  | { readonly ok: false; readonly message: string };

/** What auth reads of a request; a subset of Fastify's request, so it is easy to call anywhere. */
export interface Credentials {
  readonly authorization: string | undefined;
  /** The deprecated `api_key` query parameter, as parsed (an array when repeated). */
  readonly apiKeyParam: unknown;
}

const MISSING =
  'missing API key: send it as "Authorization: Bearer <key>" (or the deprecated api_key query parameter)';
const MALFORMED = 'the Authorization header must be "Bearer <key>"';
const UNKNOWN = 'invalid API key';

/**
 * A found key is remembered this long, so a busy client costs one store lookup per window
 * instead of one per request. Unknown keys are not remembered: a key created a moment ago
 * (by the CLI, in another process) must work at once.
 */
const CACHE_TTL_MS = 10_000;
/** A key's last use is written at most this often per process (keys are listed by the minute). */
const USE_RECORD_INTERVAL_MS = 60_000;
/** Bounds the cache; a real deployment has a handful of keys, so this is only a safety net. */
const CACHE_MAX_ENTRIES = 10_000;

function keyOf(credentials: Credentials): { key: string } | { message: string } {
  const { authorization, apiKeyParam } = credentials;
  if (authorization !== undefined && authorization.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? { key: match[1]! } : { message: MALFORMED };
  }
  if (typeof apiKeyParam === 'string' && apiKeyParam !== '') return { key: apiKeyParam };
  if (Array.isArray(apiKeyParam)) return { message: 'api_key must be given once' };
  return { message: MISSING };
}

export class Authenticator {
  private readonly cache = new Map<string, { grant: ApiKeyGrant; expiresMs: number }>();
  private readonly usesRecorded = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  async authenticate(credentials: Credentials): Promise<AuthResult> {
    const found = keyOf(credentials);
    if ('message' in found) return { ok: false, message: found.message };
    const hash = hashApiKey(found.key);
    const nowMs = this.now();
    const cached = this.cache.get(hash);
    let grant = cached && cached.expiresMs > nowMs ? cached.grant : undefined;
    if (!grant) {
      // A revoked key is not found: refused by every process once its cache entry lapses.
      grant = await this.store.findApiKey(hash);
      if (!grant) {
        this.cache.delete(hash);
        return { ok: false, message: UNKNOWN };
      }
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
      this.cache.set(hash, { grant, expiresMs: nowMs + CACHE_TTL_MS });
    }
    if (grant.expiresAtMs !== null && nowMs >= grant.expiresAtMs) {
      return {
        ok: false,
        message: `this API key expired at ${new Date(grant.expiresAtMs).toISOString()}`,
      };
    }
    await this.recordUse(hash, nowMs);
    return { ok: true, grant, keyHash: hash };
  }

  /**
   * Writes the key's last use, at most once a minute per key (so a request rarely waits for
   * it); a failed write never fails the request, and is tried again by the next one.
   */
  private async recordUse(hash: string, nowMs: number): Promise<void> {
    const last = this.usesRecorded.get(hash);
    if (last !== undefined && nowMs - last < USE_RECORD_INTERVAL_MS) return;
    if (this.usesRecorded.size >= CACHE_MAX_ENTRIES) this.usesRecorded.clear();
    this.usesRecorded.set(hash, nowMs);
    try {
      await this.store.recordKeyUse(hash, nowMs);
    } catch {
      this.usesRecorded.delete(hash);
    }
  }
}
