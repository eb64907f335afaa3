import { stageStays } from '../stage-history.js';
import type { EntityState } from '../state.js';
import type { Contribution } from '../values.js';
import { type Aggregates, latestUpdate, round1, round3 } from './figures.js';
import { type StageOverrides, stageProbabilities } from './forecast.js';
import { byStage, keys, parseStageMember, type StageRef, stageMember } from './keys.js';

/**
 * Time in stage, where deals are lost, and stage probabilities, from each deal's stage history
 * (stage-history.ts), over every deal of the company. A stage is its source's stage id (`stageMember`:
 * Pipedrive's stage 4 is not HubSpot's), so each source's stages have their own figures:
 * - a stay (a stage entered and left) counts once, with its duration in seconds (exact mean) and in whole hours
 *   in a per-stage histogram (exact median at hour resolution: stages last days to weeks, and an hour is far
 *   below what the figure is read at, while a histogram in hours stays small);
 * - a lost deal counts at the stage it was last seen open in (none when it was never seen open);
 * - a closed deal counts once at every stage it was seen open in, won or not: the learnt probability of a stage
 *   is the share of closed deals that reached it and were won.
 */
export const stageContributions = (state: EntityState<'deal'>): Contribution[] => {
  const { source } = state;
  const history = state.stages ?? [];
  const out: Contribution[] = [];
  for (const { stage, enteredAt, leftAt } of stageStays(history)) {
    if (leftAt === undefined) continue;
    const ms = Math.max(0, leftAt - enteredAt);
    const hours = Math.floor(ms / 3_600_000);
    out.push({ key: keys.stageTimes(source, stage), values: { stays: 1, staySeconds: Math.round(ms / 1000) } });
    out.push({ key: keys.stageHours(source, stage, hours), values: { [hourField(hours)]: 1 } });
  }
  const { status } = state.data;
  if (status === 'open') return out;
  const reached = new Set(history.filter((o) => o.open).map((o) => o.stage));
  for (const stage of reached)
    out.push({
      key: keys.stageTimes(source, stage),
      values: { reachedClosed: 1, reachedWon: status === 'won' ? 1 : 0 },
    });
  if (status === 'lost') {
    const lastOpen = history.findLast((o) => o.open);
    out.push({ key: keys.stageTimes(source, lastOpen?.stage ?? null), values: { lost: 1 } });
  }
  return out;
};

const HOUR_FIELD = 'h:';
const hourField = (hours: number) => `${HOUR_FIELD}${hours}`;

/** What a stage table row says about one stage. */
export interface StageFigure extends StageRef {
  /** Stays that ended (the deal moved on or closed). */
  stays: number;
  meanDays: number | null;
  medianDays: number | null;
  /** Lost deals last seen open in this stage. */
  lost: number;
  /** Closed deals that reached the stage, and of them those won: the learnt probability's sample. */
  closedReached: number;
  wonReached: number;
  /** wonReached / closedReached, null without a sample. */
  learntProbability: number | null;
}

/** Exact median of whole-hour durations counted per value; the mean of the two middle ones for an even count. */
export const medianOfCounts = (counts: ReadonlyMap<number, number>): number | null => {
  const values = [...counts].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = values.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const at = (rank: number): number => {
    let seen = 0;
    for (const [value, n] of values) {
      seen += n;
      if (seen > rank) return value;
    }
    return values.at(-1)?.[0] ?? 0;
  };
  return (at(Math.floor((total - 1) / 2)) + at(Math.floor(total / 2))) / 2;
};

/** The per-stage figures from the two partitions as read (member → values). */
export const stageFigures = (
  times: Aggregates,
  hours: Aggregates,
): { stages: StageFigure[]; lostWithoutStage: number; updatedAt: string | null } => {
  // By stage member (`stage=pipedrive:4`): the hour items' members are the stage's member and `#day`.
  const histograms = new Map<string, Map<number, number>>();
  for (const [member, view] of hours) {
    const stage = member.slice(0, member.lastIndexOf('#'));
    if (!parseStageMember(stage)) continue;
    const counts = histograms.get(stage) ?? new Map<number, number>();
    for (const [field, n] of Object.entries(view.values)) {
      const value = Number(field.slice(HOUR_FIELD.length));
      if (field.startsWith(HOUR_FIELD)) counts.set(value, (counts.get(value) ?? 0) + n);
    }
    histograms.set(stage, counts);
  }
  const stages: StageFigure[] = [];
  let lostWithoutStage = 0;
  for (const [member, view] of times) {
    const ref = parseStageMember(member);
    if (!ref) continue;
    const v = view.values;
    if (ref.stage === '') {
      lostWithoutStage += v.lost ?? 0;
      continue;
    }
    const stays = v.stays ?? 0;
    const closedReached = v.reachedClosed ?? 0;
    const wonReached = v.reachedWon ?? 0;
    if (stays === 0 && closedReached === 0 && (v.lost ?? 0) === 0) continue;
    const medianHours = medianOfCounts(histograms.get(member) ?? new Map());
    stages.push({
      ...ref,
      stays,
      meanDays: stays === 0 ? null : round1((v.staySeconds ?? 0) / 86_400 / stays),
      medianDays: medianHours === null ? null : round1(medianHours / 24),
      lost: v.lost ?? 0,
      closedReached,
      wonReached,
      learntProbability: closedReached === 0 ? null : round3(wonReached / closedReached),
    });
  }
  stages.sort(byStage);
  return { stages, lostWithoutStage, updatedAt: latestUpdate([...times.values(), ...hours.values()]) };
};

/**
 * `GET /v1/pipeline/stages`: the stage table, each stage with its learnt probability, the override set for it
 * and the probability forecasts use (forecast.ts, `stageProbabilities`).
 */
export const stagesReport = (times: Aggregates, hours: Aggregates, overrides: StageOverrides) => {
  const { stages, lostWithoutStage, updatedAt } = stageFigures(times, hours);
  const probabilities = stageProbabilities(times, overrides, []);
  const rows = stages.map((row) => {
    const p = probabilities.get(stageMember(row.source, row.stage));
    return { ...row, override: p?.override ?? null, probability: p?.used == null ? null : round3(p.used) };
  });
  // Stages with an override and no deal seen yet still show, so what was set is visible.
  const shown = new Set(stages.map((row) => stageMember(row.source, row.stage)));
  for (const [member, p] of probabilities)
    if (!shown.has(member))
      rows.push({
        source: p.source,
        stage: p.stage,
        stays: 0,
        meanDays: null,
        medianDays: null,
        lost: 0,
        closedReached: 0,
        wonReached: 0,
        learntProbability: null,
        override: p.override,
        probability: p.used,
      });
  rows.sort(byStage);
  return { stages: rows, lostWithoutStage, updatedAt };
};
export type StagesReport = ReturnType<typeof stagesReport>;
