// How the bench prints sizes and rates, and the rows of its table.

const KIB = 1024;
const MIB = 1024 * 1024;

/** Bytes as B, KiB or MiB. */
export function fmtBytes(bytes: number): string {
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(2)} MiB`;
  if (bytes >= KIB) return `${(bytes / KIB).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

/** A rate or count, whole and grouped (`16,280`). */
export const fmtRate = (n: number): string => Math.round(n).toLocaleString('en-US');

/** One row of the benchmark's table: a figure, what was measured, its target and whether it met it. */
export interface Row {
  readonly group: string;
  readonly figure: string;
  readonly measured: string;
  readonly target: string;
  /** undefined: informational, no target. */
  readonly pass?: boolean;
}
