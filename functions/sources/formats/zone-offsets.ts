// Time-zone names as status pages write them after a local time ("Dec 23, 10:30 CET", "Jun 2, 01:21:23 GMT+0",
// "Mar 3, 09:15 -03"), turned into offsets from UTC: one table for every reader that meets them.

/**
 * Common zone abbreviations and their offsets from UTC in minutes. Abbreviations that several zones share are read as
 * the zone status pages most often mean: `IST` is India (+05:30), `CST` is US Central (-06:00), `AST` is Atlantic
 * (-04:00), `BST` is British Summer Time (+01:00). A page whose zone is not listed fails the entry that uses it, naming
 * the zone, rather than being read at a wrong instant.
 */
export const ZONE_ABBREVIATIONS: Readonly<Record<string, number>> = {
  UTC: 0,
  UT: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  IST: 330,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  SAST: 120,
  GST: 240,
  PKT: 300,
  ICT: 420,
  WIB: 420,
  SGT: 480,
  HKT: 480,
  PHT: 480,
  AWST: 480,
  JST: 540,
  KST: 540,
  ACST: 570,
  ACDT: 630,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  NST: -210,
  NDT: -150,
  AST: -240,
  ADT: -180,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  BRT: -180,
  ART: -180,
};

// "GMT+0", "UTC-5", "GMT+5:30", "UTC+0530", or a bare "+01" / "-03:30" (what Statuspage writes for zones without a name).
const NUMERIC_OFFSET = /^(?:(?:GMT|UTC|UT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** The offset from UTC, in minutes, of a zone as written after a time; undefined for a zone this reader does not know. */
export function zoneOffsetMinutes(zone: string): number | undefined {
  const name = zone.trim();
  const named = ZONE_ABBREVIATIONS[name.toUpperCase()];
  if (named !== undefined) return named;
  const numeric = NUMERIC_OFFSET.exec(name);
  if (!numeric) return undefined;
  const hours = Number(numeric[2]);
  const minutes = numeric[3] === undefined ? 0 : Number(numeric[3]);
  if (hours > 14 || minutes > 59) return undefined;
  return (numeric[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}
