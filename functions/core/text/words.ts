// The text-safety toolkit: the small words of generated text (counts, lists, capitals) and a locale-free order, so
// that every renderer says "1 source", "3 sources" and sorts alike (pure).

/** "1 source", "3 sources"; `pluralForm` for irregular nouns ("2 entries"). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** The first `max` values joined with ", ", then "and N more". */
export function listWithMore(values: readonly string[], max: number): string {
  const shown = values.slice(0, max).join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}

/** The text with its first character upper-cased ("in progress" → "In progress"). */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Code-unit order: the same on every machine and locale, so a rendered list is the same for the same input. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
