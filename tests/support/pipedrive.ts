import { randomUUID } from 'node:crypto';
import { fixtureText } from './fixtures.js';
import { postWebhook } from './http.js';

/** `user:password` for PIPEDRIVE_BASIC_AUTH, the pair the webhook is created with. */
export const PIPEDRIVE_AUTH = 'hook-user:hook-pass';

export interface PipedriveDealChange {
  id: number;
  ownerId: number;
  /** When the change happened (update_time, meta.timestamp); default now. */
  at?: Date;
  /** When the deal was created (add_time); default `at`. */
  addedAt?: Date;
  status?: 'open' | 'won' | 'lost';
  value?: number;
  stageId?: number;
  expectedCloseDate?: string | null;
  lostReason?: string | null;
}

/**
 * A real Pipedrive webhook v2 delivery (the `change.deal.won.json` fixture) adapted to another deal: its id,
 * owner, status, value and times are replaced, everything else is as Pipedrive sends it.
 */
export const pipedriveDealChange = (change: PipedriveDealChange): string => {
  const delivery = JSON.parse(fixtureText('pipedrive/change.deal.won.json')) as {
    data: Record<string, unknown>;
    previous: Record<string, unknown>;
    meta: Record<string, unknown>;
  };
  const at = change.at ?? new Date();
  const seconds = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
  const status = change.status ?? 'won';
  const closed = status === 'open' ? null : seconds(at);
  Object.assign(delivery.data, {
    id: change.id,
    owner_id: change.ownerId,
    status,
    value: change.value ?? delivery.data.value,
    stage_id: change.stageId ?? delivery.data.stage_id,
    add_time: seconds(change.addedAt ?? at),
    update_time: seconds(at),
    stage_change_time: seconds(at),
    close_time: closed,
    won_time: status === 'won' ? closed : null,
    first_won_time: status === 'won' ? closed : null,
    lost_time: status === 'lost' ? closed : null,
    lost_reason: change.lostReason ?? null,
    expected_close_date:
      change.expectedCloseDate === undefined ? delivery.data.expected_close_date : change.expectedCloseDate,
  });
  Object.assign(delivery.meta, {
    id: randomUUID(),
    correlation_id: randomUUID(),
    entity_id: String(change.id),
    user_id: String(change.ownerId),
    timestamp: at.toISOString(),
    attempt: 1,
  });
  return JSON.stringify(delivery);
};

/** Posts a Pipedrive delivery with the HTTP Basic credentials Pipedrive sends (no signature). */
export const postPipedrive = (baseUrl: string, body: string, credentials = PIPEDRIVE_AUTH) =>
  postWebhook(baseUrl, 'pipedrive', body, {
    authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
  });
