import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenLocally } from './http.js';

/** A request as the local service received it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as sent. */
  text: string;
  /** The body read as JSON; undefined when it is not. */
  body: unknown;
}

/** One answer of the service: a response, a connection closed before or halfway through one, or silence. */
export type ServiceAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'close socket'
  | 'close socket mid-answer'
  | 'never answer';

const jsonOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * A local HTTP server answering as an AWS service speaking the JSON protocol is documented to: the queued
 * answers in order, as 200 with the output, or 4xx/5xx with `{"__type": "<namespace>#<Code>", "message": …}`
 * (or the code in `x-amzn-errortype`), in the JSON version the request was sent in. A request with no answer
 * left is refused (400 UnexpectedRequest). Every request is kept in `received`.
 */
export const localAwsJsonService = () => {
  const received: ReceivedRequest[] = [];
  let queued: ServiceAnswer[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const { method = '', url: path = '', headers } = request;
      received.push({ method, path, headers, text, body: jsonOrUndefined(text) });
      const answer = queued.shift() ?? {
        status: 400,
        body: { __type: 'com.example#UnexpectedRequest', message: `no answer queued for ${headers['x-amz-target']}` },
      };
      if (answer === 'close socket') request.socket.destroy();
      if (answer === 'close socket mid-answer') {
        response.writeHead(200, { 'content-type': String(headers['content-type']), 'content-length': '1000' });
        response.write('{"Item":{"pk":', () => request.socket.destroy());
      }
      if (typeof answer === 'string') return;
      response.writeHead(answer.status, {
        'content-type': String(headers['content-type']),
        'x-amzn-requestid': randomUUID(),
        ...answer.headers,
      });
      response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
    });
  });
  // Longer than the client agent's idle timeout, so the client, never the server, drops an idle connection: a
  // request sent on a connection the server is closing would fail as NetworkingError for a reason of no interest.
  server.keepAliveTimeout = 60_000;

  let url = '';
  let stop: () => Promise<void> = async () => {};
  return {
    received,
    /** The service's base URL, once started. */
    get endpoint() {
      return url;
    },
    /** Queues what the next requests are answered, replacing what was queued. */
    answer: (...answers: ServiceAnswer[]) => {
      queued = answers;
    },
    /** Forgets what was received and queued (between tests). */
    reset: () => {
      received.length = 0;
      queued = [];
    },
    start: async () => {
      ({ url, stop } = await listenLocally(server));
    },
    stop: () => stop(),
  };
};

/** An `x-amz-date` (`20261130T101500Z`) as a Date. */
export const amzDateOf = (value: string): Date =>
  new Date(value.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
