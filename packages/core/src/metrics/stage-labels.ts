import * as z from 'zod';
import { builtOnce } from '../built-once.js';
import { fields, LIMITS } from '../events.js';

/**
 * The body of `PUT /v1/stages/{source}` as a zod schema, apart from names.ts so that the query function, which
 * shows stage labels but never validates a body, bundles no zod (tests/infra/bundle-contents.test.ts).
 */

/** The most stage labels one source may hold: several pipelines of a few dozen stages each. */
export const MAX_STAGE_LABELS = 1000;

/** What `PUT /v1/stages/{source}` takes: the source's stage ids and the label each is shown with. */
export const stageLabelsSchema = builtOnce(() =>
  z.object({
    labels: z
      .record(fields().id, fields().label.min(1))
      .refine((labels) => Object.keys(labels).length <= MAX_STAGE_LABELS, {
        message: `at most ${MAX_STAGE_LABELS} stages per source`,
      })
      .describe(
        `Stage id → label, at most ${MAX_STAGE_LABELS}; ids and labels at most ${LIMITS.label} characters. Replaces the source's configured labels`,
      ),
  }),
);
export type StageLabels = z.output<ReturnType<typeof stageLabelsSchema>>;
