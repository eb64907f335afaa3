import { gatewayEvent, rawBody } from '@flash/app';
import { describe, expect, it } from 'vitest';

/**
 * The event the local server hands the functions, against what API Gateway's HTTP API documents for payload
 * format 2.0 (docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 */
describe('gatewayEvent', () => {
  const request = {
    method: 'POST',
    path: '/my/path',
    rawQuery: 'parameter1=value1&parameter1=value2&parameter2=value',
    headers: { 'user-agent': 'agent/1.0', header1: 'value1' },
    body: Buffer.from('{"events":[]}'),
    routeKey: 'POST /my/path',
    domainName: 'id.execute-api.us-east-1.amazonaws.com',
    apiId: 'api-id',
    sourceIp: '192.0.2.1',
    at: new Date('2026-11-30T10:00:00Z'),
  };

  it('joins a repeated query parameter with commas and keeps the raw query as received', () => {
    const event = gatewayEvent(request);
    expect(event.rawQueryString).toBe('parameter1=value1&parameter1=value2&parameter2=value');
    expect(event.queryStringParameters).toEqual({ parameter1: 'value1,value2', parameter2: 'value' });
    expect(gatewayEvent({ ...request, rawQuery: '' }).queryStringParameters).toBeUndefined();
  });

  it('carries the request context API Gateway sets, and the body base64-encoded', () => {
    const event = gatewayEvent(request);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /my/path',
      rawPath: '/my/path',
      isBase64Encoded: true,
      requestContext: {
        apiId: 'api-id',
        domainName: 'id.execute-api.us-east-1.amazonaws.com',
        domainPrefix: 'id',
        http: { method: 'POST', path: '/my/path', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'agent/1.0' },
        routeKey: 'POST /my/path',
        stage: '$default',
        time: '30/Nov/2026:10:00:00 +0000',
        timeEpoch: Date.parse('2026-11-30T10:00:00Z'),
      },
    });
    expect(rawBody(event).toString()).toBe('{"events":[]}');
    expect(gatewayEvent(request).requestContext.requestId).not.toBe(event.requestContext.requestId);
  });
});
