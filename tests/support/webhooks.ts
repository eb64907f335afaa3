import { createHmac } from 'node:crypto';
import { postWebhook } from './http.js';

export const GENERIC_SECRET = 'generic_test_secret';

/** Posts canonical events to the generic source, signed with GENERIC_SECRET. */
export const postGeneric = (baseUrl: string, events: unknown[]) => {
  const body = JSON.stringify({ events });
  const signature = `sha256=${createHmac('sha256', GENERIC_SECRET).update(body).digest('hex')}`;
  return postWebhook(baseUrl, 'generic', body, { 'x-signature': signature });
};

/** A month of every kind of figure, for pages and scrapes with something to show. */
export const sampleBusiness = (period: string) => {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const previous = new Date(Date.UTC(year, month - 2, 3)).toISOString().slice(0, 10);
  const earlier = new Date(Date.UTC(year, month - 4, 10)).toISOString().slice(0, 10);
  const day = (d: number) => `${period}-${String(d).padStart(2, '0')}`;
  return [
    { type: 'customer', id: 'C1', version: 1, name: 'Acme', internal: false },
    { type: 'customer', id: 'C2', version: 1, name: 'Globex', internal: false },
    { type: 'project', id: 'P1', version: 1, customerId: 'C1', status: 'open', internal: false },
    ...[
      ['I1', day(3), 12_500, 'EUR'],
      ['I2', day(4), 8_200, 'EUR'],
      ['I0', previous, 17_000, 'EUR'],
      ['IU', day(5), 1_000, 'USD'],
    ].map(([id, invoiceDate, total, currency]) => ({
      type: 'invoice',
      id,
      version: 1,
      customerId: 'C1',
      number: `N-${id}`,
      status: 'sent',
      invoiceDate,
      total,
      currency,
    })),
    { type: 'cost', id: 'K1', version: 1, projectId: 'P1', date: day(4), amount: 6_400, currency: 'EUR' },
    {
      type: 'deal',
      id: 'D1',
      version: 1,
      customerId: 'C2',
      ownerId: 'U1',
      status: 'open',
      stage: 'proposal',
      amount: 40_000,
      currency: 'EUR',
      createdAt: `${day(2)}T10:00:00Z`,
      closedAt: null,
    },
    {
      type: 'deal',
      id: 'D2',
      version: 1,
      customerId: 'C1',
      ownerId: 'U1',
      status: 'won',
      stage: 'won',
      amount: 25_000,
      currency: 'EUR',
      createdAt: `${previous}T10:00:00Z`,
      closedAt: `${day(6)}T10:00:00Z`,
    },
    ...[
      ['D3', 'won', 30_000],
      ['D4', 'won', 18_000],
      ['D5', 'lost', 22_000],
    ].map(([id, status, amount]) => ({
      type: 'deal',
      id,
      version: 1,
      customerId: 'C1',
      ownerId: 'U1',
      status,
      stage: status,
      amount,
      currency: 'EUR',
      createdAt: `${earlier}T10:00:00Z`,
      closedAt: `${previous}T10:00:00Z`,
    })),
    ...[10, 9, 9, 8, 7].map((score, i) => ({
      type: 'survey_response',
      id: `R${i}`,
      version: 1,
      customerId: 'C1',
      score,
      submittedAt: `${day(2 + i)}T09:00:00Z`,
      comment: null,
      email: `r${i}@acme.example`,
    })),
  ];
};
