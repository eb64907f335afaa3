import {
  customerNameOf,
  type InsightsStore,
  keys,
  learntStageLabels,
  lists,
  type OwnerName,
  ownerNamesOf,
  type QueryStore,
  type StageLabels,
  stageLabelOf,
  type User,
} from '@flash/core';
import type { DetractorAlert } from './alert.js';
import { STAGES, USERS } from './documents.js';

/**
 * The names an answer shows beside its ids, read once per answer whatever the number of rows: the customers'
 * rollups in one BatchGetItem (their `name=` fields), the users in one Query (owner names), the configured
 * stage labels in one Query and the ones learnt from the providers' APIs in another. Read at every request, never stored with a figure or an alert, so an edited
 * name shows on the next poll, and a rebuild, which rebuilds the rollups from the customer states, gives
 * the same names.
 */
export interface Names {
  customer(id: string | null | undefined): string | null;
  owner(id: string | null | undefined): OwnerName | null;
  stage(source: string, stage: string | null | undefined): string | null;
}

export type NamesReader = Pick<InsightsStore, 'loadNodes' | 'listEntities'> & Pick<QueryStore, 'listDocuments'>;

/** The most learnt stages read: every pipeline of a CRM, with room to spare. */
const MAX_LEARNT_STAGES = 2000;

export interface NamesWanted {
  customers?: Iterable<string | null | undefined>;
  owners?: boolean;
  stages?: boolean;
}

const NO_DOCUMENTS: Promise<Map<string, unknown>> = Promise.resolve(new Map());

/** Reads the names of some customers, and every owner's and stage's when asked for. */
export const readNames = async (store: NamesReader, wanted: NamesWanted): Promise<Names> => {
  const customerIds = [...new Set([...(wanted.customers ?? [])].filter((id): id is string => !!id))];
  const [rollups, users, stages, learnt] = await Promise.all([
    customerIds.length > 0 ? store.loadNodes(customerIds.map(keys.customerRollup)) : new Map(),
    wanted.owners ? store.listDocuments(USERS) : NO_DOCUMENTS,
    wanted.stages ? store.listDocuments(STAGES) : NO_DOCUMENTS,
    wanted.stages ? store.listEntities(lists.stages, MAX_LEARNT_STAGES) : [],
  ]);
  const owners = ownerNamesOf([...users].map(([id, user]) => [id, user as User] as const));
  const configured = new Map([...stages].map(([source, doc]) => [source, (doc as StageLabels).labels]));
  const learntLabels = learntStageLabels(learnt);
  return {
    customer: (id) => {
      const rollup = id ? rollups.get(keys.customerRollup(id)) : undefined;
      return rollup ? customerNameOf(rollup.value) : null;
    },
    owner: (id) => (id ? (owners.get(id) ?? null) : null),
    stage: (source, stage) => stageLabelOf(source, stage ?? null, configured, learntLabels),
  };
};

/** Rows that name a stage by its source and id, each with the stage's label beside them (`stageName`). */
export const withStageNames = <R extends { source: string; stage: string | null }>(rows: readonly R[], names: Names) =>
  rows.map((row) => ({ ...row, stageName: names.stage(row.source, row.stage) }));

/**
 * The alerts, newest first, each with its customer's name and its owner's user name as they are now (the
 * stake beside them is as it was when the alert was raised).
 */
export const alertsWithNames = async (store: NamesReader & Pick<QueryStore, 'listAlerts'>, limit: number) => {
  const alerts = (await store.listAlerts(limit)) as DetractorAlert[];
  const names = await readNames(store, { customers: alerts.map((a) => a.customerId), owners: true });
  return alerts.map((alert) => ({
    ...alert,
    customerName: names.customer(alert.customerId),
    ownerName: names.owner(alert.atStake?.owner)?.name ?? null,
  }));
};
