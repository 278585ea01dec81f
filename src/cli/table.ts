/**
 * What list commands print: a plain aligned table for people, or `--json` (one JSON array) for
 * scripts. Hand-written: a padded column layout is a few lines, not worth a dependency.
 */
export function printList<T>(
  rows: readonly T[],
  json: boolean,
  columns: readonly (readonly [header: string, cell: (row: T) => string])[],
  toJson: (row: T) => unknown = (row) => row,
): void {
  if (json) {
    console.log(JSON.stringify(rows.map(toJson), null, 2));
    return;
  }
  const cells = [
    columns.map(([header]) => header),
    ...rows.map((row) => columns.map(([, cell]) => cell(row))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  for (const line of cells) {
    console.log(
      line
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  }
}

/** An instant as the lists show it: ISO 8601 to the second, UTC; '-' for none. */
export function instant(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
