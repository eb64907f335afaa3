import type { DocumentReader, DocumentStore } from '@flash/core';
import { itemKeys } from './schema.js';
import { type Item, type Table, toMap } from './table.js';

/** Configuration documents (KPI profiles, users) on DynamoDB, one partition per kind. */
export const dynamoDocumentStore = (table: Table): DocumentStore & DocumentReader => ({
  async putDocument(kind, id, document) {
    await table.put('putDocument', { ...itemKeys.document(kind, id), document });
  },

  async deleteDocument(kind, id) {
    await table.delete('deleteDocument', itemKeys.document(kind, id));
  },

  async getDocuments(kind, ids) {
    const items = await table.batchGet(
      'getDocuments',
      ids.map((id) => itemKeys.document(kind, id)),
    );
    return new Map(items.map(byId));
  },

  listDocuments(kind) {
    return toMap(table.queryPartition('listDocuments', itemKeys.documentPartition(kind)), byId);
  },
});

/** A document is whatever was put; the configuration API validates it on the way in. */
const byId = (item: Item): [string, unknown] => [String(item.sk), item.document];
