/**
 * Versions of mutable rows (workspaces, keys, definitions): a ReplacingMergeTree keeps the
 * highest, and reads take argMax(column, version). Microseconds of wall time, strictly
 * increasing within a process, so a process's later write always wins over its earlier one.
 */
let last = 0;

export function nextVersion(): number {
  last = Math.max(Date.now() * 1000, last + 1);
  return last;
}
