import { gunzipSync, gzipSync } from 'node:zlib';
import { type CommitPlan, ConflictError, type EntityStore, type Journal, type Stored, type Values } from '@flash/core';
import { aggregateFields, readJournal, readNodeValues, readOptionalNumber, readRevision, readState } from './items.js';
import { entityKeyOf, itemKeys, nodeKeyOf } from './schema.js';
import {
  atRevision,
  type Condition,
  IF_ABSENT,
  type Item,
  type ItemKey,
  listingAttributes,
  REVISION,
  type Table,
  type TransactItem,
  updateExpression,
} from './table.js';

/** The attribute marking the fold that last wrote a rollup node or an aggregate (FoldPlan). */
const FOLD = 'fold';
/** How many of a fold's single writes are in flight at once. */
const FOLD_WRITES_IN_FLIGHT = 16;

/** Written by no fold yet, or by an earlier one than `seq`. */
const beforeFold = (seq: number): Condition => ({
  ConditionExpression: 'attribute_not_exists(#fold) OR #fold < :fold',
  ExpressionAttributeNames: { '#fold': FOLD },
  ExpressionAttributeValues: { ':fold': seq },
});

const heldBy = (holder: string): Condition => ({
  ConditionExpression: '#holder = :holder',
  ExpressionAttributeNames: { '#holder': 'holder' },
  ExpressionAttributeValues: { ':holder': holder },
});

/** A journal's deltas as stored: gzipped JSON pairs, a few KB for a commit of a hundred entities. */
const encodeDeltas = (deltas: ReadonlyMap<string, Values>): Uint8Array => gzipSync(JSON.stringify([...deltas]));
const decodeDeltas = (bytes: Uint8Array): Map<string, Values> =>
  new Map(JSON.parse(gunzipSync(bytes).toString('utf8')) as [string, Values][]);

/** A transaction's Put of an entity state at its next revision, conditioned on the revision read. */
export const entityPut = (table: Table, e: CommitPlan['entities'][number]): TransactItem => ({
  Put: table.putInput(
    {
      ...itemKeys.entity(e.key),
      state: e.state,
      ...listingAttributes(e.listing),
      [REVISION]: (e.expectedRev ?? 0) + 1,
    },
    atRevision(e.expectedRev),
  ),
});

/**
 * The engine's store on DynamoDB: entity states with a revision for optimistic locking, committed with their
 * journal in one transaction; the fold's lease, its numbered single writes of rollup nodes and aggregate
 * counters, and the removal of its journals (packages/core/src/fold.ts).
 */
export const dynamoEntityStore = (table: Table): EntityStore => {
  /** Items by key, with their revisions, by the key they were stored under. */
  const load = async <T>(
    operation: string,
    keys: ItemKey[],
    keyOf: (item: Item) => string,
    read: (item: Item) => T,
    rev: (item: Item) => number,
  ) => {
    const items = await table.batchGet(operation, keys);
    return new Map(items.map((item): [string, Stored<T>] => [keyOf(item), { value: read(item), rev: rev(item) }]));
  };
  const journalOf = (item: Item): Journal => ({ id: String(item.sk), deltas: decodeDeltas(readJournal(item)) });
  /** Runs the writes with at most FOLD_WRITES_IN_FLIGHT at once; a write already made by this fold is skipped. */
  const foldWrites = async (writes: (() => Promise<unknown>)[]) => {
    let next = 0;
    const worker = async () => {
      while (next < writes.length) {
        const write = writes[next++] as () => Promise<unknown>;
        try {
          await write();
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(FOLD_WRITES_IN_FLIGHT, writes.length) }, worker));
  };
  return {
    loadEntities: (keys) => load('loadEntities', keys.map(itemKeys.entity), entityKeyOf, readState, readRevision),
    loadNodes: (keys) =>
      load(
        'loadNodes',
        keys.map(itemKeys.node),
        nodeKeyOf,
        readNodeValues,
        (item) => readOptionalNumber(item, FOLD) ?? 0,
      ),

    async commit(plan) {
      await table.transactWrite('commit', [
        ...plan.entities.map((e) => entityPut(table, e)),
        ...(plan.journal
          ? [
              {
                Put: table.putInput(
                  { ...itemKeys.journal(plan.journal.id), d: encodeDeltas(plan.journal.deltas) },
                  IF_ABSENT,
                ),
              },
            ]
          : []),
      ]);
    },

    async acquireFold(holder, now, leaseMs) {
      try {
        const lease = await table.updateReturning(
          'acquireFold',
          itemKeys.fold,
          updateExpression({ holder, expiresAt: now.getTime() + leaseMs }),
          {
            ConditionExpression: 'attribute_not_exists(#h) OR #h = :h OR #e < :now',
            ExpressionAttributeNames: { '#h': 'holder', '#e': 'expiresAt' },
            ExpressionAttributeValues: { ':h': holder, ':now': now.getTime() },
          },
        );
        const unfinishedSeq = readOptionalNumber(lease, 'unfinishedSeq');
        return {
          unfinished:
            unfinishedSeq === undefined
              ? undefined
              : { seq: unfinishedSeq, journals: (lease.unfinished as string[] | undefined) ?? [] },
        };
      } catch (error) {
        if (error instanceof ConflictError) return undefined;
        throw error;
      }
    },

    async listJournals(limit) {
      return (await table.queryFirst('listJournals', itemKeys.journalPartition, limit)).map(journalOf);
    },

    async loadJournals(ids) {
      return (await table.batchGet('loadJournals', ids.map(itemKeys.journal))).map(journalOf);
    },

    async beginFold(holder, journals, now, leaseMs) {
      const lease = await table.updateReturning(
        'beginFold',
        itemKeys.fold,
        {
          UpdateExpression:
            'SET #seq = if_not_exists(#seq, :zero) + :one, #us = if_not_exists(#seq, :zero) + :one, #u = :ids, #e = :exp',
          ExpressionAttributeNames: { '#seq': 'seq', '#us': 'unfinishedSeq', '#u': 'unfinished', '#e': 'expiresAt' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':ids': [...journals], ':exp': now.getTime() + leaseMs },
        },
        heldBy(holder),
      );
      return readOptionalNumber(lease, 'seq') ?? 0;
    },

    async applyFold(plan) {
      const condition = beforeFold(plan.seq);
      await foldWrites([
        ...plan.nodes.map(
          (n) => () =>
            table.update(
              'applyFold',
              itemKeys.node(n.key),
              updateExpression({ vals: n.values, [FOLD]: plan.seq }),
              condition,
            ),
        ),
        ...plan.aggregates.map(
          (a) => () =>
            table.update(
              'applyFold',
              itemKeys.aggregate(a.key),
              updateExpression({ changedAt: plan.at, [FOLD]: plan.seq }, aggregateFields(a.delta)),
              condition,
            ),
        ),
      ]);
    },

    async endFold(holder, seq, journals) {
      const held = heldBy(holder);
      await table.transactWrite('endFold', [
        {
          Update: table.updateInput(
            itemKeys.fold,
            {
              UpdateExpression: 'REMOVE #u, #us',
              ExpressionAttributeNames: { '#u': 'unfinished', '#us': 'unfinishedSeq' },
              ExpressionAttributeValues: {},
            },
            {
              ConditionExpression: `${held.ConditionExpression} AND #us = :seq`,
              ExpressionAttributeNames: held.ExpressionAttributeNames,
              ExpressionAttributeValues: { ...held.ExpressionAttributeValues, ':seq': seq },
            },
          ),
        },
        ...journals.map((id) => ({ Delete: { TableName: table.name, Key: itemKeys.journal(id) } })),
      ]);
    },

    async releaseFold(holder) {
      try {
        await table.update(
          'releaseFold',
          itemKeys.fold,
          {
            UpdateExpression: 'REMOVE #holder, #e',
            ExpressionAttributeNames: { '#e': 'expiresAt' },
            ExpressionAttributeValues: {},
          },
          heldBy(holder),
        );
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    },
  };
};
