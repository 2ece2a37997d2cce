// The dates Auth0's Deprecations and Migrations page writes by hand, read as calendar days (pure). Every form seen in
// the page's history is read ("August 4, 2026", "October 28th, 2025", "April 28th , 2026", "Sept. 16, 2025",
// "6 June 2018", "2026-03-04"); anything else ("TBA", "Q3 2026", "February 30, 2026") is not a date and is never guessed.

const MONTHS: Readonly<Record<string, number>> = {
  january: 1, jan: 1,
  february: 2, feb: 2,
  march: 3, mar: 3,
  april: 4, apr: 4,
  may: 5,
  june: 6, jun: 6,
  july: 7, jul: 7,
  august: 8, aug: 8,
  september: 9, sept: 9, sep: 9,
  october: 10, oct: 10,
  november: 11, nov: 11,
  december: 12, dec: 12,
};

const DAY = String.raw`(\d{1,2})(?:st|nd|rd|th)?`;
const MONTH = String.raw`([a-z]{3,9})\.?`;
const YEAR = String.raw`(\d{4})`;
/** "August 4, 2026", "October 28th, 2025", "April 28th , 2026", "Sept. 16 2025". */
const MONTH_FIRST = new RegExp(String.raw`^${MONTH}\s+${DAY}\s*,?\s*${YEAR}$`);
/** "6 June 2018", "4th of March, 2027". */
const DAY_FIRST = new RegExp(String.raw`^${DAY}\s+(?:of\s+)?${MONTH}\s*,?\s*${YEAR}$`);
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The calendar day a date on the page names, `YYYY-MM-DD`; undefined when the text is not one date in a known form.
 * A trailing full stop and surrounding emphasis are tolerated; a weekday in front ("Tuesday, March 4, 2027") too.
 */
export function readDocDate(text: string): string | undefined {
  const value = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[*_]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.$/, '')
    .replace(/^(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+/, '');
  const iso = ISO_DAY.exec(value);
  if (iso) return calendarDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const monthFirst = MONTH_FIRST.exec(value);
  if (monthFirst) return calendarDay(Number(monthFirst[3]), MONTHS[monthFirst[1]!], Number(monthFirst[2]));
  const dayFirst = DAY_FIRST.exec(value);
  if (dayFirst) return calendarDay(Number(dayFirst[3]), MONTHS[dayFirst[2]!], Number(dayFirst[1]));
  return undefined;
}

/** `YYYY-MM-DD` when the day exists in that month of that year (no rolling February 30 over into March). */
function calendarDay(year: number, month: number | undefined, day: number): string | undefined {
  if (month === undefined || year < 2000 || year > 2200 || day < 1) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}
