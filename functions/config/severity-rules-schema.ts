// The schema of the config's `severityRules` (see functions/core/severity-rules.ts): an ordered list of rules, each
// naming at least one condition and a severity; a pattern that is not a regular expression is refused at load.
import * as z from 'zod';
import { SEVERITIES } from '../core/model.js';
import { patternProblem, SEVERITY_RULE_CONDITIONS } from '../core/severity-rules.js';
import { regionLabel } from './source-schema-kit.js';

const names = z.array(z.string().min(1)).min(1);

const severityRuleSchema = z
  .strictObject({
    sources: names.optional(),
    vendors: names.optional(),
    regions: z.array(regionLabel).min(1).optional(),
    components: names.optional(),
    pattern: z
      .string()
      .min(1)
      .max(1000)
      .superRefine((pattern, ctx) => {
        const problem = patternProblem(pattern);
        if (problem) ctx.addIssue({ code: 'custom', message: `must be a regular expression (${problem})` });
      })
      .optional(),
    severity: z.enum(SEVERITIES),
  })
  .superRefine((rule, ctx) => {
    if (!SEVERITY_RULE_CONDITIONS.some((condition) => rule[condition] !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: `names no condition: give at least one of ${SEVERITY_RULE_CONDITIONS.join(', ')}`,
      });
    }
  });

/** `severityRules`: the first rule that matches an item sets its severity; none by default. */
export const severityRulesSchema = z.array(severityRuleSchema).default([]);
