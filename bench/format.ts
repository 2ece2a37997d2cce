// How the bench prints sizes and rates.

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
