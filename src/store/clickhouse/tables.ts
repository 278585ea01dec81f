/**
 * How a logical table is laid out: the same names serve both layouts, so queries are
 * layout-blind.
 * - single node: `events` is the MergeTree table itself;
 * - cluster: `events_local` is the MergeTree table on every shard and `events` a `Distributed`
 *   table over them, sharded by `shardBy`.
 * Migrations (schema.ts) run on every node with that node's own connection.
 */

export interface TableSpec {
  readonly name: string;
  readonly columns: string;
  readonly engine: string;
  /** The cluster sharding expression: rows that must meet (same user, same id) share a shard. */
  readonly shardBy: string;
}

/** Where the tables live: one node, or every node of a cluster (one shard per node). */
export interface Layout {
  /** The cluster name in the servers' `remote_servers`; null for a single node. */
  readonly cluster: string | null;
}

/** The table that holds a node's own rows: what views write to and backfills read from. */
export function localName(name: string, layout: Layout): string {
  return layout.cluster === null ? name : `${name}_local`;
}

export function createTable(table: TableSpec, layout: Layout): string[] {
  const create = (name: string) =>
    `CREATE TABLE IF NOT EXISTS ${name} (${table.columns}\n) ENGINE = ${table.engine}`;
  if (layout.cluster === null) return [create(table.name)];
  const local = localName(table.name, layout);
  return [
    create(local),
    `CREATE TABLE IF NOT EXISTS ${table.name} AS ${local}
     ENGINE = Distributed(${layout.cluster}, currentDatabase(), ${local}, ${table.shardBy})`,
  ];
}
