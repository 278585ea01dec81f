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
 */

/** A table of values sent along with a query; `columns` maps each column to its type. */
export interface ExternalTable {
  readonly name: string;
  readonly columns: Readonly<Record<string, string>>;
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

type ParamValue = string | number | readonly (string | number)[];

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

const toJsonLines = (rows: readonly object[]): string =>
  rows.map((row) => JSON.stringify(row)).join('\n');

export class ClickHouseHttp {
  /**
   * @param url the server's HTTP endpoint
   * @param settings ClickHouse settings sent with every request (`database`, ...)
   */
  constructor(
    readonly url: string,
    private readonly settings: Readonly<Record<string, string>>,
  ) {}

  /** Runs a SELECT and returns its rows (the query must not have a FORMAT clause). */
  async query<T>(sql: string, tables: readonly ExternalTable[] = []): Promise<T[]> {
    const text = await this.send(`${sql}\nFORMAT JSONEachRow`, tables);
    return text === ''
      ? []
      : text
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as T);
  }

  /** Runs a statement without result (DDL, INSERT ... SELECT). */
  async exec(sql: string, tables: readonly ExternalTable[] = []): Promise<void> {
    await this.send(sql, tables);
  }

  /** Inserts rows: the statement is fixed, the values are the request body. */
  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.request({ query: `INSERT INTO ${table} FORMAT JSONEachRow` }, toJsonLines(rows));
  }

  private async send(sql: string, tables: readonly ExternalTable[]): Promise<string> {
    if (tables.length === 0) return this.request({}, sql);
    const search: Record<string, string> = { query: sql };
    const form = new FormData();
    for (const table of tables) {
      search[`${table.name}_structure`] = Object.entries(table.columns)
        .map(([column, type]) => `${column} ${type}`)
        .join(', ');
      search[`${table.name}_format`] = 'JSONEachRow';
      form.append(table.name, new Blob([toJsonLines(table.rows)]), table.name);
    }
    return this.request(search, form);
  }

  private async request(search: Record<string, string>, body: string | FormData): Promise<string> {
    const url = new URL(this.url);
    for (const [key, value] of Object.entries({ ...this.settings, ...search })) {
      url.searchParams.set(key, value);
    }
    const response = await fetch(url, { method: 'POST', body });
    const text = await response.text();
    if (!response.ok) throw new Error(`ClickHouse: ${text.trim()}`);
    return text;
  }
}
