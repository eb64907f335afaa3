import { createHash, createHmac } from 'node:crypto';

/** Keys that sign a request: an IAM user's, or a role session's with its token. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface RequestToSign {
  method: string;
  url: URL;
  /** Header names in lower case; `host` and `x-amz-date` are added. */
  headers: Record<string, string>;
  body: string;
  /** The service's signing name (`dynamodb`, `events`, `sqs`, `secretsmanager`). */
  service: string;
  region: string;
  credentials: AwsCredentials;
  now: Date;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();

/** RFC 3986 percent-encoding, as Signature Version 4 wants it (encodeURIComponent leaves !'()* alone). */
const uriEncode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The path as Signature Version 4 canonicalizes it for every service but S3: empty segments dropped (the URL
 * has resolved `.` and `..` already), each segment encoded once more on top of the encoding the URL carries.
 */
const canonicalPath = (url: URL): string => {
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return '/';
  return `/${segments.map(uriEncode).join('/')}${url.pathname.endsWith('/') ? '/' : ''}`;
};

const canonicalQuery = (url: URL): string =>
  [...url.searchParams]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');

/** The signing key of one day, region and service; derived once and reused while they stay the same. */
let derived: { scope: string; secret: string; key: Buffer } | undefined;
const signingKey = (secret: string, date: string, region: string, service: string): Buffer => {
  const scope = `${date}/${region}/${service}`;
  if (derived?.scope !== scope || derived.secret !== secret) {
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    derived = { scope, secret, key };
  }
  return derived.key;
};

/**
 * The headers of a request signed with AWS Signature Version 4 (header-based, every header signed), as the
 * IAM guide "Create a signed AWS API request" describes it: `host`, `x-amz-date`, `x-amz-security-token`
 * for a session, and `authorization`.
 */
export const signedHeaders = (request: RequestToSign): Record<string, string> => {
  const { credentials, url, region, service } = request;
  const amzDate = request.now.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...request.headers, host: url.host, 'x-amz-date': amzDate };
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const signed = names.join(';');
  const canonicalRequest = [
    request.method,
    canonicalPath(url),
    canonicalQuery(url),
    ...names.map((name) => `${name}:${String(lower[name]).trim().replace(/\s+/g, ' ')}`),
    '',
    signed,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, date, region, service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`;
  return headers;
};
