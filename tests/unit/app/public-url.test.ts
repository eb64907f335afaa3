import { createHmac } from 'node:crypto';
import { publicUrl } from '@flash/app';
import { describe, expect, it } from 'vitest';
import { httpEvent, ingestHandler, jsonBody, NOW, SECRETS } from '../connectors/helpers.js';

/**
 * Issue 13: the URL HubSpot v3 signs must not come from headers the client sets. Behind API Gateway the host
 * is `requestContext.domainName` (API Gateway's, not the client's) and the scheme the one API Gateway received.
 */

const API_DOMAIN = 'abc123def4.execute-api.eu-west-1.amazonaws.com';
const BODY = Buffer.from('[{"subscriptionType":"deal.deletion","objectId":42,"occurredAt":1773921533688}]');

/** HubSpot's v3 headers for BODY posted to `url`, with the test secret. */
const signedFor = (url: string): Record<string, string> => {
  const ts = String(NOW.getTime());
  const signature = createHmac('sha256', SECRETS.WEBHOOK_SECRET_HUBSPOT ?? '')
    .update(`POST${url}`)
    .update(BODY)
    .update(ts)
    .digest('base64');
  return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': ts };
};

/** A delivery as API Gateway hands it to the ingest function, with extra client headers. */
const throughApiGateway = (headers: Record<string, string>) =>
  httpEvent('hubspot', BODY, { 'x-forwarded-proto': 'https', ...headers }, { host: API_DOMAIN });

describe('the public URL a signature covers', () => {
  it('is the API Gateway domain, whatever X-Forwarded-Host the client sends', async () => {
    const elsewhere = 'https://hooks.other-tenant.example/webhooks/hubspot';
    const replayed = throughApiGateway({ ...signedFor(elsewhere), 'x-forwarded-host': 'hooks.other-tenant.example' });
    expect(publicUrl(replayed)).toBe(`https://${API_DOMAIN}/webhooks/hubspot`);
    const answer = await ingestHandler()(replayed);
    expect(answer.statusCode).toBe(401);
    expect(jsonBody(answer).error).toMatch(/X-HubSpot-Signature-v3 does not match/);

    const genuine = throughApiGateway(signedFor(`https://${API_DOMAIN}/webhooks/hubspot`));
    expect((await ingestHandler()(genuine)).statusCode).toBe(202);
  });

  it('is the configured PUBLIC_BASE_URL when set, whatever the request says', () => {
    const event = throughApiGateway({ 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' });
    expect(publicUrl(event, 'https://hooks.example.com/')).toBe('https://hooks.example.com/webhooks/hubspot');
  });

  it("takes the scheme the gateway received (the last X-Forwarded-Proto entry), not the client's", () => {
    // API Gateway appends or overwrites: a client's own value comes first, never last.
    expect(publicUrl(throughApiGateway({ 'x-forwarded-proto': 'http, https' }))).toBe(
      `https://${API_DOMAIN}/webhooks/hubspot`,
    );
    // The local server reports a plain HTTP connection as `http`.
    expect(publicUrl(httpEvent('hubspot', BODY, { 'x-forwarded-proto': 'http' }, { host: '127.0.0.1:3000' }))).toBe(
      'http://127.0.0.1:3000/webhooks/hubspot',
    );
    // No header at all: API Gateway only serves HTTPS.
    const bare = throughApiGateway({});
    delete bare.headers['x-forwarded-proto'];
    expect(publicUrl(bare)).toBe(`https://${API_DOMAIN}/webhooks/hubspot`);
  });
});
