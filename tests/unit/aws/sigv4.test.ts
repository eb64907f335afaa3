import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AwsCredentials, signedHeaders } from '../../../packages/aws/src/sigv4.js';
import { referenceSigner } from '../../support/reference-signer.js';

/**
 * `signedHeaders` against two independent references: the AWS SDK's own signer (@smithy/signature-v4) on
 * generated requests, and the signatures AWS publishes (the IAM guide's examples, the Signature Version 4
 * test suite).
 */

/** The query as the SDK parses an endpoint's (@smithy/querystring-parser): split, percent-decoded, repeats kept. */
const queryOf = (search: string): Record<string, string | string[]> => {
  // No prototype: parameters named `valueOf` or `__proto__` are parameters like any other.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
    const value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1));
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
};

interface Case {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  credentials: AwsCredentials;
  now: Date;
}

/** What the SDK's signer puts on the same request (the SDK adds `host` itself before signing). */
const referenceHeaders = async (c: Case): Promise<Record<string, string>> => {
  const signer = referenceSigner(c.credentials, c.region, c.service);
  const signed = await signer.sign(
    {
      method: c.method,
      protocol: c.url.protocol,
      hostname: c.url.hostname,
      ...(c.url.port ? { port: Number(c.url.port) } : {}),
      path: c.url.pathname,
      query: queryOf(c.url.search),
      headers: { ...c.headers, host: c.url.host },
      body: c.body,
    },
    { signingDate: c.now },
  );
  return signed.headers;
};

const ours = (c: Case) =>
  signedHeaders({
    method: c.method,
    url: c.url,
    headers: c.headers,
    body: c.body,
    service: c.service,
    region: c.region,
    credentials: c.credentials,
    now: c.now,
  });

const text = (maxLength = 12) => fc.string({ unit: 'binary', maxLength });

/**
 * Endpoint paths: segments of any Unicode (spaces, `%`, `?`, `#`, `/` inside a segment, empty segments,
 * `.` and `..`), written either percent-encoded or raw and left for the URL parser to encode.
 */
const pathname = fc.oneof(
  fc
    .tuple(fc.array(text(), { maxLength: 4 }), fc.boolean())
    .map(([segments, slash]) => `/${segments.map(encodeURIComponent).join('/')}${slash ? '/' : ''}`),
  fc.array(text(), { maxLength: 4 }).map((segments) => `/${segments.join('/')}`),
);

/**
 * Query strings percent-encoded (spaces as %20): a raw `+` would mean a space to the URL's parser and a plus to
 * the SDK's, and the SDK re-encodes the query it sends, so only the unambiguous form compares the signers.
 * No parameter is named `__proto__`: the SDK's signer canonicalizes that one as `[object Object]` (its own flaw).
 */
const search = fc
  .array(
    fc.tuple(
      text().filter((name) => name !== '__proto__'),
      text(),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&'));

const endpoint = fc
  .tuple(
    fc.constantFrom(
      'https://dynamodb.eu-west-1.amazonaws.com',
      'https://sqs.us-east-1.amazonaws.com:443',
      'http://127.0.0.1:8000',
      'http://localhost:4566',
      'https://events.cn-north-1.amazonaws.com.cn',
    ),
    pathname,
    search,
  )
  .map(([origin, path, query]) => {
    const url = new URL(origin);
    url.pathname = path;
    url.search = query;
    return url;
  });

const region = fc.oneof(
  fc.constantFrom('us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1', 'local'),
  fc.stringMatching(/^[a-z0-9-]{1,20}$/),
);
const service = fc.oneof(
  fc.constantFrom('dynamodb', 'events', 'sqs', 'secretsmanager'),
  fc.stringMatching(/^[a-z0-9-]{1,20}$/),
);
/** Header values as Node sends them: printable ASCII and tabs, with runs of blanks inside and around. */
const printable = fc.string({
  unit: fc.constantFrom(...' \t'.split(''), ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))),
  maxLength: 30,
});
const target = fc.oneof(
  fc.constantFrom('DynamoDB_20120810.GetItem', 'AWSEvents.PutEvents', 'AmazonSQS.SendMessage'),
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/), printable).map(([prefix, action]) => `${prefix}.${action}`),
);
const credentials = fc.record({
  accessKeyId: fc.stringMatching(/^(AKIA|ASIA)[A-Z0-9]{16}$/),
  secretAccessKey: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  sessionToken: fc.option(fc.base64String({ minLength: 4, maxLength: 200 }), { nil: undefined }),
});
const date = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});

describe('signedHeaders against the SDK signer', () => {
  it('signs a JSON-protocol POST exactly as @smithy/signature-v4 does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          url: endpoint,
          body: fc.string({ unit: 'binary', maxLength: 200 }),
          region,
          service,
          target,
          contentType: fc.constantFrom('application/x-amz-json-1.0', 'application/x-amz-json-1.1'),
          credentials,
          now: date,
        }),
        async ({ target: amzTarget, contentType, ...rest }) => {
          const c: Case = {
            ...rest,
            method: 'POST',
            headers: { 'content-type': contentType, 'x-amz-target': amzTarget },
          };
          const reference = await referenceHeaders(c);
          const headers = ours(c);
          expect(headers.authorization).toBe(reference.authorization);
          expect(headers['x-amz-date']).toBe(reference['x-amz-date']);
          expect(headers['x-amz-security-token']).toBe(reference['x-amz-security-token']);
          expect(headers.host).toBe(c.url.host);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('signs a session: x-amz-security-token is sent and signed', async () => {
    const c: Case = {
      method: 'POST',
      url: new URL('https://dynamodb.eu-west-1.amazonaws.com/'),
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body: '{}',
      region: 'eu-west-1',
      service: 'dynamodb',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token/with+base64=' },
      now: new Date('2026-11-30T10:00:00.123Z'),
    };
    const headers = ours(c);
    expect(headers['x-amz-security-token']).toBe('token/with+base64=');
    expect(headers['x-amz-date']).toBe('20261130T100000Z');
    expect(headers.authorization).toContain(
      'SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,',
    );
    expect(headers.authorization).toBe((await referenceHeaders(c)).authorization);
  });

  it('does not reuse one secret’s signing key for another on the same day, region and service', async () => {
    const base: Omit<Case, 'credentials'> = {
      method: 'POST',
      url: new URL('https://sqs.us-east-1.amazonaws.com/'),
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: '{"QueueUrl":"q"}',
      region: 'us-east-1',
      service: 'sqs',
      now: new Date('2026-11-30T10:00:00Z'),
    };
    for (const secretAccessKey of ['first', 'second', 'first']) {
      const c = { ...base, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey } };
      expect(ours(c).authorization).toBe((await referenceHeaders(c)).authorization);
    }
  });
});

/** The example credentials of AWS's documentation and of its Signature Version 4 test suite. */
const EXAMPLE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('signedHeaders against the signatures AWS publishes', () => {
  it('IAM guide, "Create a signed AWS API request": GET ListUsers', () => {
    // The request as the guide writes it; its header names are lower-cased and sorted for signing.
    const headers = signedHeaders({
      method: 'GET',
      url: new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: '',
      service: 'iam',
      region: 'us-east-1',
      credentials: EXAMPLE,
      now: new Date('2015-08-30T12:36:00Z'),
    });
    expect(headers['x-amz-date']).toBe('20150830T123600Z');
    expect(headers.host).toBe('iam.amazonaws.com');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  it('General Reference, "Signed Signature Version 4 requests examples": POST ListUsers with a body', () => {
    const headers = signedHeaders({
      method: 'POST',
      url: new URL('http://iam.amazonaws.com/'),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=ListUsers&Version=2010-05-08',
      service: 'iam',
      region: 'us-east-1',
      credentials: EXAMPLE,
      now: new Date('2011-09-09T23:36:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/iam/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=ced6826de92d2bdeed8f846f0bf508e8559e98e4b0199114b84c54174deb456c',
    );
  });

  // The Signature Version 4 test suite: service `service`, us-east-1, 2015-08-30T12:36:00Z, empty body.
  const suite = (path: string, credentials: AwsCredentials = EXAMPLE, method = 'GET'): Record<string, string> =>
    signedHeaders({
      method,
      url: new URL(`https://example.amazonaws.com${path}`),
      headers: {},
      body: '',
      service: 'service',
      region: 'us-east-1',
      credentials,
      now: new Date('2015-08-30T12:36:00Z'),
    });
  const SUITE_SCOPE = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ';

  it('test suite get-vanilla-query-order-key-case: parameters sorted by name', () => {
    expect(suite('/?Param2=value2&Param1=value1').authorization).toBe(
      `${SUITE_SCOPE}SignedHeaders=host;x-amz-date, ` +
        'Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
  });

  it('test suite post-sts-header-before: the session token signed as a header', () => {
    const sessionToken =
      'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUu' +
      'wthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8Y' +
      'QcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2IC' +
      'CR/oLxBA==';
    expect(suite('/', { ...EXAMPLE, sessionToken }, 'POST').authorization).toBe(
      `${SUITE_SCOPE}SignedHeaders=host;x-amz-date;x-amz-security-token, ` +
        'Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead',
    );
  });

  it('test suite get-slashes: empty path segments are normalized away (every service but S3)', () => {
    expect(suite('//example//').authorization).toBe(
      `${SUITE_SCOPE}SignedHeaders=host;x-amz-date, ` +
        'Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84',
    );
  });
});
