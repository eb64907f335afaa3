import {
  type EntityState,
  type EntityStore,
  FoldPendingError,
  foldJournals,
  type MetricContext,
  type MetricModel,
  type RebuildStore,
  recompute,
  type Values,
} from '@flash/core';

export interface Drift {
  kind: 'rollup' | 'aggregate';
  key: string;
  expected: Values;
  actual: Values;
}

export interface RebuildReport {
  mode: 'verify' | 'rebuild';
  entities: number;
  rollups: number;
  aggregates: number;
  drift: Drift[];
  /** Items rewritten (rebuild mode only). */
  repaired: number;
}

const nonZero = (values: Values | undefined): Values =>
  Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== 0));

const sameValues = (a: Values, b: Values): boolean => {
  const x = nonZero(a);
  const y = nonZero(b);
  return Object.keys(x).length === Object.keys(y).length && Object.entries(x).every(([k, v]) => y[k] === v);
};

const diff = (kind: Drift['kind'], expected: Map<string, Values>, actual: Map<string, Values>): Drift[] =>
  [...new Set([...expected.keys(), ...actual.keys()])]
    .filter((key) => !sameValues(expected.get(key) ?? {}, actual.get(key) ?? {}))
    .sort()
    .map((key) => ({ kind, key, expected: nonZero(expected.get(key)), actual: nonZero(actual.get(key)) }));

/** How often rebuild folds and finds journals still waiting before it gives up. */
const DRAIN_ATTEMPTS = 5;

/**
 * Folds until no journal waits. With the aggregator paused that takes one call (or a wait for a holder's
 * lease to expire); journals that keep coming mean it is not paused, and rebuild refuses to go on.
 */
const foldEveryJournal = async (opts: Parameters<typeof foldJournals>[0] & { store: EntityStore }) => {
  for (let attempt = 0; attempt < DRAIN_ATTEMPTS; attempt++) {
    await foldJournals(opts, [], { drain: true });
    if ((await opts.store.listJournals(1)).length === 0) return;
  }
  throw new FoldPendingError(
    `journals kept arriving while rebuild folded them ${DRAIN_ATTEMPTS} times: pause the aggregator, then rebuild`,
  );
};

/**
 * Recomputes every rollup and aggregate from the stored entity states and compares them with what the
 * incremental path wrote. `verify` only reports drift; `rebuild` also rewrites what drifted. Journals waiting
 * to be folded are folded first: their entity states are stored already, so a rebuild that left them would
 * count them twice when they fold. Rebuild while the aggregator is paused: an increment landing between the
 * scan and the rewrite would be overwritten.
 */
export const rebuildAggregates = async (opts: {
  store: RebuildStore & EntityStore;
  model: MetricModel;
  ctx: MetricContext;
  now: () => Date;
  mode: 'verify' | 'rebuild';
}): Promise<RebuildReport> => {
  await foldEveryJournal(opts);
  const states: EntityState[] = [];
  for await (const state of opts.store.scanEntities()) states.push(state);
  const expected = recompute(states, opts.model, opts.ctx);
  const actual = await opts.store.scanDerived();
  const actualAggregates = new Map([...actual.aggregates].map(([k, r]) => [k, r.values]));
  const drift = [
    ...diff('rollup', expected.nodes, actual.nodes),
    ...diff('aggregate', expected.aggregates, actualAggregates),
  ];
  let repaired = 0;
  if (opts.mode === 'rebuild') {
    const at = opts.now().toISOString();
    for (const d of drift) {
      if (d.kind === 'rollup') await opts.store.replaceNode(d.key, d.expected);
      else await opts.store.replaceAggregate(d.key, d.expected, d.actual, at);
      repaired++;
    }
  }
  return {
    mode: opts.mode,
    entities: states.length,
    rollups: expected.nodes.size,
    aggregates: expected.aggregates.size,
    drift,
    repaired,
  };
};
