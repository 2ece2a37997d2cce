// The order of tenant log ids: the Management API's checkpoint paging returns logs after `from` in this order.

/** Log ids compare as numbers: by length, then digit by digit (they are digit strings of one length per region). */
export function compareLogIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
