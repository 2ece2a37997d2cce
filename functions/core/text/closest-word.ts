// "Did you mean": the known word closest to a misspelt one, by edit distance (letters added, dropped, changed or swapped).

/** Edits (insertions, deletions, substitutions, swaps of neighbours) between `a` and `b`, ignoring letter case. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // Three rows of the optimal-string-alignment table: the one before the previous, the previous and the current.
  let before: number[] = [];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= t.length; j += 1) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[t.length]!;
}

/**
 * The word of `known` closest to `word` when it is close enough to be a slip (one edit in a short word, up to three in a
 * long one), else undefined. Ties go to the first listed.
 */
export function closestWord(word: string, known: Iterable<string>): string | undefined {
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: { readonly word: string; readonly distance: number } | undefined;
  for (const candidate of known) {
    if (candidate === word) continue;
    const distance = editDistance(word, candidate);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { word: candidate, distance };
  }
  return best?.word;
}
