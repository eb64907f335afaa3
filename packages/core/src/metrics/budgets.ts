import * as z from 'zod';
import { builtOnce } from '../built-once.js';
import { fields, LIMITS, SOURCE_NAME, SOURCE_NAME_RULE } from '../events.js';

/**
 * The bodies of the forecast's configuration routes (budgets, stage probabilities set by hand), as zod schemas.
 * They live apart from forecast.ts, like the KPI profiles in kpis.ts, so that the query function, which reads
 * forecasts but never validates a body, bundles no zod (tests/infra/bundle-contents.test.ts).
 */

const MAX_AMOUNT = 1e13;
/** Owners of a budget, stages of the overrides: 250 keys of up to 256 characters keep a document far inside DynamoDB's 400 KB. */
const MAX_ENTRIES = 250;
const amount = () => z.number().min(0).max(MAX_AMOUNT);
const atMost = (n: number) => (record: Record<string, unknown>) => Object.keys(record).length <= n;

/** A month's budget, as `PUT /v1/budgets/{month}` takes it: the company's and each owner's, in one currency. */
export const budgetSchema = builtOnce(() =>
  z.object({
    currency: fields().currency,
    /** The company's budget of the month in major units; null: none. */
    company: amount().nullable().default(null),
    /** Each owner's budget of the month in major units, by owner id as the CRM sends it. */
    owners: z.record(fields().id, amount()).refine(atMost(MAX_ENTRIES), `at most ${MAX_ENTRIES} owners`).default({}),
  }),
);
export type Budget = z.output<ReturnType<typeof budgetSchema>>;

/** How overrides are given, for a refusal. */
const OVERRIDES_SHAPE = 'give each source its stages: {"pipedrive": {"4": 0.4}}';
/** One source's overrides: stage id → probability. */
const sourceOverrides = () =>
  z.record(fields().id, z.number().min(0).max(1), {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? `${OVERRIDES_SHAPE}, stage ids as the source sends them`
        : issue.code === 'invalid_key'
          ? `a stage id is 1 to ${LIMITS.id} characters`
          : undefined,
  });

/**
 * Stage probabilities set by hand, as `PUT /v1/stage-probabilities` takes them: source → stage id → probability
 * (`{"probabilities": {"pipedrive": {"4": 0.4}}}`), as stage labels are set per source; a stage id means something
 * only in its source's pipeline. Each replaces the learnt one of that stage.
 */
export const stageProbabilitiesSchema = builtOnce(() =>
  z.object({
    probabilities: z
      .record(z.string().regex(SOURCE_NAME), sourceOverrides(), {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? `not a source: a source's name is ${SOURCE_NAME_RULE}; ${OVERRIDES_SHAPE}`
            : undefined,
      })
      .refine(
        (bySource) => Object.values(bySource).reduce((n, stages) => n + Object.keys(stages).length, 0) <= MAX_ENTRIES,
        `at most ${MAX_ENTRIES} stages in all`,
      )
      .meta({
        description: `Source → stage id → probability from 0 to 1, at most ${MAX_ENTRIES} stages in all; a stage left out uses its learnt probability`,
        examples: [{ pipedrive: { '4': 0.4 }, hubspot: { appointmentscheduled: 0.2 } }],
      }),
  }),
);
export type StageProbabilities = z.output<ReturnType<typeof stageProbabilitiesSchema>>;
