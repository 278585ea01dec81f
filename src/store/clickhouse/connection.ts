/**
 * How the store reaches ClickHouse beside its URL (http.ts uses it). Apart from http.ts so that
 * the CLI can name the defaults without loading the HTTP client at every command's start.
 */
/** How to reach the server, beside its URL. */
export interface ClickHouseConnection {
  readonly user?: string;
  readonly password?: string;
  /** PEM certificates trusted for an `https://` URL, in place of the system's. */
  readonly ca?: string | Buffer;
  readonly connectTimeoutMs?: number;
  /** The longest a request may take, on the wire and on the server. */
  readonly queryTimeoutMs?: number;
  /** Further tries of a read that could not reach the server. */
  readonly retries?: number;
  /** Told of each failed request and each retry (metrics). */
  readonly onEvent?: (event: 'error' | 'retry') => void;
}

/** What a connection uses for what it does not set (and what the CLI shows as defaults). */
export const CONNECTION_DEFAULTS = {
  connectTimeoutMs: 10_000,
  queryTimeoutMs: 300_000,
  retries: 3,
} as const;
