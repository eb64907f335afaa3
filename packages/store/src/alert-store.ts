import { type AlertLister, type AlertStore, ConflictError } from '@flash/core';
import { StoreUnavailableError } from './errors.js';
import { readAlert, readOptionalString } from './items.js';
import { itemKeys } from './schema.js';
import { IF_ABSENT, IF_PRESENT, type Item, listingAttributes, type Table, updateExpression } from './table.js';

/** The list on the index that holds every alert, by `raisedAt#key`. */
const ALERTS = 'alerts';

/** Alerts on DynamoDB: one item per key, written once (a conditional Put), then marked. */
export const dynamoAlertStore = (table: Table): AlertStore & AlertLister => {
  const mark = (operation: string, key: string, attribute: string, value: unknown) =>
    table.update(operation, itemKeys.alert(key), updateExpression({ [attribute]: value }), IF_PRESENT);
  return {
    async recordAlert(alert) {
      const listing = listingAttributes({ list: ALERTS, sort: `${alert.raisedAt}#${alert.key}` });
      try {
        await table.put('recordAlert', { ...itemKeys.alert(alert.key), alert, notified: false, ...listing }, IF_ABSENT);
        return { alert, notified: false };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      const stored = await table.get('recordAlert', itemKeys.alert(alert.key));
      if (!stored) throw new StoreUnavailableError(`alert ${alert.key} vanished while being recorded`);
      return { alert: readAlert(stored), notified: isNotified(stored) };
    },

    markAlertNotified: (key) => mark('markAlertNotified', key, 'notified', true),

    async getAlert(key) {
      const item = await table.get('getAlert', itemKeys.alert(key));
      return (
        item && {
          alert: readAlert(item),
          notified: isNotified(item),
          slackDeliveredAt: readOptionalString(item, 'slackDeliveredAt'),
        }
      );
    },

    markSlackDelivered: (key, at) => mark('markSlackDelivered', key, 'slackDeliveredAt', at),

    async listAlerts(limit) {
      return (await table.queryList('listAlerts', ALERTS, limit)).map(readAlert);
    },
  };
};

/** Alerts stored before the flag existed were published in the same invocation that stored them. */
const isNotified = (item: Item): boolean => item.notified !== false;
