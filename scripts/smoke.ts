/**
 * Smoke test of a deployment (or the local stack): `npm run smoke -- --url <api url> [--token <api token>]
 * [--generic-secret <WEBHOOK_SECRET_GENERIC>]` (or API_TOKEN / WEBHOOK_SECRET_GENERIC in the environment).
 *
 * 1. the authorizer refuses a wrong bearer token on /v1;
 * 2. one signed generic invoice is accepted (202), booked in January 2000, a month no real figure uses;
 * 3. the billing of 2000-01 moves by exactly its amount (polled);
 * 4. the invoice is deleted again (a newer version) and the billing returns to where it was.
 * Each step is reported on its own line; the first failure ends the run with exit code 1.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

const PERIOD = '2000-01';
const AMOUNT = 12.34;

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string', default: process.env.API_TOKEN },
    'generic-secret': { type: 'string', default: process.env.WEBHOOK_SECRET_GENERIC },
    timeout: { type: 'string', default: '60' },
  },
});

class SmokeFailure extends Error {}
const fail = (message: string): never => {
  throw new SmokeFailure(message);
};
const passed = (message: string) => console.log(`ok   ${message}`);

const baseUrl = (values.url ?? fail('--url <api url> is required')).replace(/\/+$/, '');
const secret = values['generic-secret'] ?? fail('--generic-secret (or WEBHOOK_SECRET_GENERIC) is required');
const timeoutMs = Number(values.timeout) * 1000;
const auth: Record<string, string> = values.token ? { authorization: `Bearer ${values.token}` } : {};

const billingOf = async (): Promise<number> => {
  const response = await fetch(`${baseUrl}/v1/metrics?period=${PERIOD}`, {
    headers: { ...auth, 'cache-control': 'no-cache' },
  });
  if (response.status !== 200)
    fail(`GET /v1/metrics answered ${response.status}: ${await response.text()} (is --token right?)`);
  const body = (await response.json()) as { billing?: { thisMonth?: number } };
  return body.billing?.thisMonth ?? fail(`GET /v1/metrics has no billing.thisMonth: ${JSON.stringify(body)}`);
};

const cents = (n: number) => Math.round(n * 100);

const postInvoice = async (id: string, version: number, deleted: boolean) => {
  const body = JSON.stringify({
    events: [
      {
        type: 'invoice',
        id,
        version,
        deleted,
        customerId: 'smoke-test',
        number: id,
        status: 'sent',
        invoiceDate: `${PERIOD}-15`,
        total: AMOUNT,
      },
    ],
  });
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const response = await fetch(`${baseUrl}/webhooks/generic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signature },
    body,
  });
  const text = await response.text();
  if (response.status !== 202) fail(`POST /webhooks/generic answered ${response.status}: ${text}`);
  return text;
};

/** Polls the billing of PERIOD until it is `expected` (to the cent); how long it took. */
const billingBecomes = async (expected: number): Promise<number> => {
  const started = Date.now();
  let last = Number.NaN;
  while (Date.now() - started < timeoutMs) {
    last = await billingOf();
    if (cents(last) === cents(expected)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return fail(`billing of ${PERIOD} is ${last}, not ${expected}, after ${timeoutMs / 1000} s`);
};

const main = async () => {
  console.log(`smoke test of ${baseUrl}`);
  const wrong = await fetch(`${baseUrl}/v1/metrics?period=${PERIOD}`, {
    headers: { authorization: `Bearer wrong-${randomUUID()}` },
  });
  if (wrong.status !== 401 && wrong.status !== 403) fail(`a wrong token got ${wrong.status}, not 401 or 403`);
  passed(`the authorizer refuses a wrong token (${wrong.status})`);

  const before = await billingOf();
  const id = `smoke-${randomUUID()}`;
  passed(`webhook accepted: ${await postInvoice(id, 1, false)}`);
  const ms = await billingBecomes(before + AMOUNT);
  passed(`billing of ${PERIOD} moved by ${AMOUNT} (${before} → ${before + AMOUNT}) in ${(ms / 1000).toFixed(1)} s`);

  await postInvoice(id, 2, true);
  await billingBecomes(before);
  passed(`invoice ${id} deleted again, billing of ${PERIOD} back to ${before}`);
  console.log('smoke test passed');
};

main().catch((error: unknown) => {
  console.error(`FAIL ${error instanceof SmokeFailure ? error.message : String(error)}`);
  process.exitCode = 1;
});
