import type { MetricContext } from '../context.js';
import { monthOf } from '../period.js';
import type { EntityState } from '../state.js';
import type { Contribution, Values } from '../values.js';
import { currencyField, keys } from './keys.js';

/**
 * Pipeline of a month: deals created in it, deals won or lost with a close date in it, the value won and the
 * lead time of won deals; open deals as of now. Each flow is kept in total and per owner.
 * Lead time is summed in whole seconds so that adding and removing deals stays exact.
 */
export const dealContributions = (state: EntityState<'deal'>, ctx: MetricContext): Contribution[] => {
  const { status, amount, currency, createdAt, ownerId, customerId } = state.data;
  const out: Contribution[] = [];
  const money = (name: string): Values =>
    amount !== null && currency ? { [currencyField(name, currency)]: amount } : {};
  const both = (key: (owner?: string | null) => string, values: Values) => {
    out.push({ key: key(), values });
    if (ownerId) out.push({ key: key(ownerId), values });
  };

  if (customerId) {
    out.push({
      key: keys.customerRollup(customerId),
      values: { openDeals: status === 'open' ? 1 : 0, wonDeals: status === 'won' ? 1 : 0 },
    });
  }
  if (createdAt) {
    const month = monthOf(createdAt, ctx.timeZone);
    both((owner) => keys.pipeline(month, owner), { created: 1, ...money('createdValue') });
  }
  if (status === 'open') {
    both(keys.openPipeline, { openCount: 1, ...money('openValue') });
    return out;
  }
  // A closed deal without a close date closed when the change that closed it happened.
  const closedAt = state.data.closedAt ?? state.occurredAt;
  const month = monthOf(closedAt, ctx.timeZone);
  if (status === 'lost') {
    both((owner) => keys.pipeline(month, owner), { lost: 1 });
    return out;
  }
  const won: Values = {
    won: 1,
    ...money('wonValue'),
    ...(amount !== null && currency ? { [currencyField('wonCount', currency)]: 1 } : {}),
  };
  if (createdAt) {
    won.leadSeconds = Math.max(0, Math.round((Date.parse(closedAt) - Date.parse(createdAt)) / 1000));
    won.leadCount = 1;
  }
  both((owner) => keys.pipeline(month, owner), won);
  return out;
};
