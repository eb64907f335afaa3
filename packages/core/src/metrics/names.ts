import type { EntityState } from '../state.js';
import type { Listing } from '../values.js';
import { lists } from './keys.js';
import type { User } from './kpis.js';
import type { StageLabels } from './stage-labels.js';

/**
 * Names people read beside the ids the API keeps: a customer's name (on its rollup, customers.ts), a deal's
 * title (on its state), an owner's user name (users' `ownerIds`) and a stage's label (configured per source,
 * or learnt from the provider's API). None of them is a key: a name changes, the figures stay where they are.
 */

/** Who an owner id is: the user whose `ownerIds` hold it (a user without `ownerIds` is their own id). */
export interface OwnerName {
  userId: string;
  name: string;
}

/** Owner id → user, from every user; an id two users claim goes to the first user id in order, so it is stable. */
export const ownerNamesOf = (users: Iterable<readonly [string, User]>): Map<string, OwnerName> => {
  const out = new Map<string, OwnerName>();
  for (const [userId, user] of [...users].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    for (const ownerId of user.ownerIds ?? [userId])
      if (!out.has(ownerId)) out.set(ownerId, { userId, name: user.name });
  return out;
};

/** Stages learnt from a provider's API are listed, so one Query reads every learnt label. */
export const learntStageListing = (state: EntityState<'stage'>): Listing => ({
  list: lists.stages,
  sort: `${state.source}#${state.id}`,
});

/** The learnt labels, by `source#stage id`, from the listed stage states. */
export const learntStageLabels = (states: readonly EntityState[]): Map<string, string> =>
  new Map(
    states.flatMap((s) =>
      s.entity === 'stage' && s.data.label ? [[`${s.source}#${s.id}`, s.data.label] as const] : [],
    ),
  );

/** A stage's label: configured for its source if it is, else learnt from the provider, else none. */
export const stageLabelOf = (
  source: string,
  stage: string | null,
  configured: ReadonlyMap<string, StageLabels['labels']>,
  learnt: ReadonlyMap<string, string>,
): string | null => {
  if (stage === null) return null;
  return configured.get(source)?.[stage] ?? learnt.get(`${source}#${stage}`) ?? null;
};
