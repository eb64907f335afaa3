import type { MetricContext } from '../context.js';
import { toMajor } from '../money.js';
import type { Values } from '../values.js';
import { byCurrency, byLabel, parseStageMember } from './keys.js';

const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((1000 * part) / whole) / 1000);
const labelOf = (label: string) => (label === '' ? null : label);

/**
 * Opportunities created per deal source in a month, and how many of them are won already (conversion), from
 * the month's `source=…` label items; most created first.
 */
export const sourceConversion = (flowLabels: Iterable<readonly [string, Values]>) =>
  [...byLabel(flowLabels, 'source')]
    .map(([source, m]) => ({
      source: labelOf(source),
      created: m.created ?? 0,
      won: m.won ?? 0,
      conversionRate: rate(m.won ?? 0, m.created ?? 0),
    }))
    .sort((a, b) => b.created - a.created);

/**
 * Sales-coaching detail of a month's pipeline flow and of the open pipeline: opportunities created per source
 * with their conversion (share of that month's new deals already won), lost deals per reason, open deals per
 * stage. The labels come from their own items (`pipeline-labels#…`, `pipeline-stages…`), member → values.
 */
export const coachingFigures = (
  flow: Values,
  flowLabels: Iterable<readonly [string, Values]>,
  openStages: Iterable<readonly [string, Values]>,
  ctx: MetricContext,
) => {
  const labels = [...flowLabels];
  return {
    bySource: sourceConversion(labels),
    won: flow.won ?? 0,
    lost: flow.lost ?? 0,
    lostReasons: [...byLabel(labels, 'reason')]
      .map(([reason, m]) => ({ reason: labelOf(reason), lost: m.lost ?? 0 }))
      .sort((a, b) => b.lost - a.lost),
    openByStage: [...openStages]
      .flatMap(([member, m]) => {
        const stage = parseStageMember(member);
        // A stage's item stays at zero once its last open deal moves on: nothing to show.
        return stage && (m.openCount ?? 0) > 0
          ? [
              {
                source: stage.source,
                stage: labelOf(stage.stage),
                openCount: m.openCount ?? 0,
                openValue: toMajor(byCurrency(m, 'openValue')[ctx.baseCurrency] ?? 0, ctx.baseCurrency),
              },
            ]
          : [];
      })
      .sort((a, b) => b.openValue - a.openValue),
  };
};
