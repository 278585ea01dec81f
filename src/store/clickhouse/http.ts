/**
 * A minimal ClickHouse HTTP client that never puts a value into SQL text.
 *
 * Why not @clickhouse/client: it talks to the Debian ClickHouse (18.16) for plain queries and
 * inserts, but its only way to bind values, `query_params`, needs server support for
 * `{name:Type}` placeholders, which arrived in 19.x ("Unknown setting param_x" on 18.16).
 * What both 18.16 and current releases accept is *external data*: tables sent with the query
 * as multipart form parts, each with a declared structure and format. Values travel as
 * JSONEachRow rows of such a table (`p`, one row, for scalars: `(SELECT ws FROM p)`; larger
 * ones such as the ids of a batch), and inserts send their rows as the request body. The SQL
 * text is always a constant of this code base.
 *
 * Rows travel as TabSeparated: ClickHouse 18.16 parses it about four times faster than
 * JSONEachRow for the wide `events` rows (JSONEachRow looks each field name up again per row),
 * and it is as cheap to write from JS.
 *
 * As a client of a managed service (docs/clickhouse.md, "Connecting"): a user and password sent
 * as HTTP Basic authentication (never in the URL, never in a message), `https://` with a custom
 * CA, connect and query timeouts (the query timeout is also the server's max_execution_time),
 * keep-alive connections, and reads retried with backoff when the server cannot be reached or
 * answers 502/503/504. Writes are never retried here: their callers decide (ingest.ts).
 * The transport is undici, Node's own fetch implementation, as a package: its Agent is what
 * sets a CA, timeouts and keep-alive, which the global fetch does not expose.
 */
import { Agent, fetch, FormData, type Response } from 'undici';
import { CONNECTION_DEFAULTS, type ClickHouseConnection } from './connection.js';

/** A table of values sent along with a query; `columns` maps each column to its type. */
export interface ExternalTable {
  readonly name: string;
  readonly columns: Readonly<Record<string, string>>;
  readonly rows: readonly Row[];
}

type ParamValue = string | number | readonly (string | number)[];
type Row = Readonly<Record<string, unknown>>;

/**
 * The one-row table `p` of a query's scalar parameters: `params({ ws: ['String', id] })`,
 * read in SQL as `(SELECT ws FROM p)` — a constant scalar subquery, so it still prunes by the
 * primary key and is accepted where a constant is required (a time zone argument).
 */
export function params(values: Readonly<Record<string, [type: string, value: ParamValue]>>) {
  const columns: Record<string, string> = {};
  const row: Record<string, ParamValue> = {};
  for (const [name, [type, value]] of Object.entries(values)) {
    columns[name] = type;
    row[name] = value;
  }
  return { name: 'p', columns, rows: [row] } satisfies ExternalTable;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
  "'": "\\'",
};
/** What a TabSeparated field (and a quoted string inside an array) must escape. */
const SPECIAL = /[\\\t\n\r\0']/;
const SPECIALS = new RegExp(SPECIAL.source, 'g');
// Most fields have nothing to escape: testing first halves the cost of a wide batch.
const escape = (text: string): string =>
  SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text;

function field(value: unknown): string {
  if (typeof value === 'string') return escape(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    return `[${value.map((item) => (typeof item === 'number' ? String(item) : `'${escape(String(item))}'`)).join(',')}]`;
  }
  throw new Error(`no TabSeparated form for ${typeof value} values`);
}

/** Rows as TabSeparated lines, their fields in the order of `columns`. */
export function toTabSeparated(columns: readonly string[], rows: readonly Row[]): string {
  let text = '';
  for (const row of rows) text += `${columns.map((column) => field(row[column])).join('\t')}\n`;
  return text;
}

const RETRIABLE_STATUS = new Set([502, 503, 504]);
const FIRST_BACKOFF_MS = 100;

/** Thrown for an answer the server gave: it reached the server, so it is never retried. */
class ServerAnswer extends Error {}

export class ClickHouseHttp {
  private readonly agent: Agent;
  private readonly authorization: string | undefined;
  private readonly settings: Readonly<Record<string, string>>;

  /**
   * @param url the server's HTTP endpoint
   * @param settings ClickHouse settings sent with every request (`database`, ...)
   */
  constructor(
    readonly url: string,
    settings: Readonly<Record<string, string>>,
    private readonly connection: ClickHouseConnection = {},
  ) {
    const queryTimeoutMs = connection.queryTimeoutMs ?? CONNECTION_DEFAULTS.queryTimeoutMs;
    this.agent = new Agent({
      connect: {
        timeout: connection.connectTimeoutMs ?? CONNECTION_DEFAULTS.connectTimeoutMs,
        ...(connection.ca !== undefined ? { ca: connection.ca } : {}),
      },
      keepAliveTimeout: 30_000,
      headersTimeout: queryTimeoutMs,
      bodyTimeout: queryTimeoutMs,
    });
    this.settings = { max_execution_time: String(Math.ceil(queryTimeoutMs / 1000)), ...settings };
    this.authorization =
      connection.user === undefined
        ? undefined
        : `Basic ${Buffer.from(`${connection.user}:${connection.password ?? ''}`).toString('base64')}`;
  }

  /** The same server and connection with other settings (another database, none). */
  withSettings(settings: Readonly<Record<string, string>>): ClickHouseHttp {
    return new ClickHouseHttp(this.url, settings, this.connection);
  }

  /** Closes the kept-alive connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Runs a SELECT and returns its rows (the query must not have a FORMAT clause). */
  async query<T>(sql: string, tables: readonly ExternalTable[] = []): Promise<T[]> {
    const text = await (await this.respond(`${sql}\nFORMAT JSONEachRow`, tables, true)).text();
    return text === ''
      ? []
      : text
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as T);
  }

  /**
   * Runs a SELECT and yields its rows as they arrive: for answers too large to hold at once
   * (every fact of a campaign's users). An error after the first row arrives as text in the
   * body, since the status is already sent; it fails to parse and is thrown as such.
   */
  async *stream<T>(sql: string, tables: readonly ExternalTable[] = []): AsyncGenerator<T> {
    const response = await this.respond(`${sql}\nFORMAT JSONEachRow`, tables, true);
    const decoder = new TextDecoder();
    let pending = '';
    const parse = (line: string): T => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new Error(`ClickHouse: ${line.trim()}`);
      }
    };
    for await (const chunk of response.body!) {
      pending += decoder.decode(chunk as Uint8Array, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line !== '') yield parse(line);
    }
    pending += decoder.decode();
    if (pending.trim() !== '') yield parse(pending);
  }

  /** Runs a statement without result (DDL, INSERT ... SELECT). */
  async exec(sql: string, tables: readonly ExternalTable[] = []): Promise<void> {
    await (await this.respond(sql, tables, false)).text();
  }

  /**
   * Inserts rows, all with the keys of the first: the statement is fixed (table and column
   * names from this code base), the values are the request body.
   */
  async insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    await this.insertTabSeparated(table, columns, toTabSeparated(columns, rows));
  }

  /** Inserts rows already written with toTabSeparated (the benchmark's raw INSERT ceiling). */
  async insertTabSeparated(table: string, columns: readonly string[], body: string) {
    const response = await this.request(
      { query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT TabSeparated` },
      body,
      false,
    );
    await response.text(); // read to the end, so the connection is free for the next request
  }

  /** Sends a query with its external tables; the answer's body is left to the caller. */
  private async respond(
    sql: string,
    tables: readonly ExternalTable[],
    idempotent: boolean,
  ): Promise<Response> {
    if (tables.length === 0) return this.request({}, sql, idempotent);
    const search: Record<string, string> = { query: sql };
    const form = new FormData();
    for (const table of tables) {
      const columns = Object.keys(table.columns);
      search[`${table.name}_structure`] = columns
        .map((column) => `${column} ${table.columns[column]}`)
        .join(', ');
      search[`${table.name}_format`] = 'TabSeparated';
      form.append(table.name, new Blob([toTabSeparated(columns, table.rows)]), table.name);
    }
    return this.request(search, form, idempotent);
  }

  /**
   * A successful response, its body unread; a failed one is thrown with ClickHouse's text. An
   * idempotent request is tried again, after 100, 200, 400 ms ..., when the server could not be
   * reached or answered 502/503/504 (a proxy or a restarting node).
   */
  private async request(
    search: Record<string, string>,
    body: string | FormData,
    idempotent: boolean,
  ): Promise<Response> {
    const url = new URL(this.url);
    for (const [key, value] of Object.entries({ ...this.settings, ...search })) {
      url.searchParams.set(key, value);
    }
    const headers = this.authorization ? { authorization: this.authorization } : undefined;
    const tries = idempotent ? 1 + (this.connection.retries ?? CONNECTION_DEFAULTS.retries) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          body,
          headers,
          dispatcher: this.agent,
        });
        if (response.ok) return response;
        const text = (await response.text()).trim();
        if (!RETRIABLE_STATUS.has(response.status)) throw new ServerAnswer(`ClickHouse: ${text}`);
        throw new Error(`ClickHouse answered ${response.status}: ${text}`);
      } catch (error) {
        this.connection.onEvent?.('error');
        if (error instanceof ServerAnswer || attempt >= tries) throw unreachable(error, this.url);
        this.connection.onEvent?.('retry');
        await new Promise((resolve) => setTimeout(resolve, FIRST_BACKOFF_MS * 2 ** (attempt - 1)));
      }
    }
  }
}

/** The error a caller sees: ClickHouse's own text, or why the server could not be reached. */
function unreachable(error: unknown, url: string): Error {
  if (error instanceof ServerAnswer) return new Error(error.message);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return (error as Error).message.startsWith('ClickHouse')
    ? (error as Error)
    : new Error(`ClickHouse at ${new URL(url).origin} cannot be reached: ${reason}`, {
        cause: error,
      });
}
