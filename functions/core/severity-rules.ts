// A team's own severities: the config's `severityRules`, an ordered list whose first matching rule sets an item's
// severity, raising or lowering the default (pure).
import type { Severity } from './model.js';

/**
 * One rule of `severityRules`. Every condition given must match; a rule names at least one. Lists match when any of
 * their values does: source ids and vendors exactly, regions and components exactly but for case.
 */
export interface SeverityRule {
  /** Ids of the sources that saw the item. */
  readonly sources?: readonly string[];
  /** Who the item is about ("Auth0", "GitHub"). */
  readonly vendors?: readonly string[];
  /** Regions the item names or is listed in ("US-1"); an item naming none matches no region. */
  readonly regions?: readonly string[];
  /** Affected components or products the item names ("User Authentication"). */
  readonly components?: readonly string[];
  /** A regular expression, case-insensitive, searched in the item's title and its text (updates, description). */
  readonly pattern?: string;
  readonly severity: Severity;
}

/** What a rule is matched against: the item as one poll of one source sees it. */
export interface SeverityFacts {
  readonly source: string;
  readonly vendor: string;
  readonly regions: readonly string[];
  readonly components: readonly string[];
  /** The title and the text, joined by line breaks. */
  readonly text: string;
}

/** The conditions a rule may name, in the order a config error lists them. */
export const SEVERITY_RULE_CONDITIONS = ['sources', 'vendors', 'regions', 'components', 'pattern'] as const;

/** Why `pattern` is not a regular expression the rules can use; undefined when it is one. */
export function patternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A rule's pattern, compiled once per rule object (config objects live as long as the process). */
const compiled = new WeakMap<SeverityRule, RegExp>();

function patternOf(rule: SeverityRule & { readonly pattern: string }): RegExp {
  let regex = compiled.get(rule);
  if (!regex) {
    regex = new RegExp(rule.pattern, 'i');
    compiled.set(rule, regex);
  }
  return regex;
}

const folded = (values: readonly string[]) => new Set(values.map((value) => value.toLowerCase()));

function anyOf(wanted: readonly string[] | undefined, actual: readonly string[], ignoreCase: boolean): boolean {
  if (wanted === undefined) return true;
  if (!ignoreCase) return actual.some((value) => wanted.includes(value));
  const set = folded(wanted);
  return actual.some((value) => set.has(value.toLowerCase()));
}

/** Whether every condition the rule names holds for the item. A rule naming none matches nothing. */
export function ruleMatches(rule: SeverityRule, facts: SeverityFacts): boolean {
  if (!SEVERITY_RULE_CONDITIONS.some((condition) => rule[condition] !== undefined)) return false;
  return (
    anyOf(rule.sources, [facts.source], false) &&
    anyOf(rule.vendors, [facts.vendor], false) &&
    anyOf(rule.regions, facts.regions, true) &&
    anyOf(rule.components, facts.components, true) &&
    (rule.pattern === undefined || patternOf(rule as SeverityRule & { readonly pattern: string }).test(facts.text))
  );
}

/** The severity of the first rule that matches the item, or `computed` when none does. */
export function ruledSeverity(rules: readonly SeverityRule[] | undefined, facts: SeverityFacts, computed: Severity): Severity {
  return rules?.find((rule) => ruleMatches(rule, facts))?.severity ?? computed;
}
