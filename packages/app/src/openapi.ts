import type { HttpRoute, ReadRoute, WriteRoute } from './routes.js';
import { answerSchemas, type JsonSchema, schemaRef } from './schemas.js';

const string: JsonSchema = { type: 'string' };

/** `/v1/pipeline/requirements` → `getV1PipelineRequirements`, `/` → `getRoot`. */
const operationId = (method: string, path: string): string =>
  `${method.toLowerCase()}${
    path
      .split(/[/._-]/)
      .filter(Boolean)
      .map((word) => word[0]?.toUpperCase() + word.slice(1))
      .join('') || 'Root'
  }`;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: schemaRef('Error') } },
});

/** API Gateway's own error body, which its Lambda authorizer answers with on AWS. */
const gatewayError: JsonSchema = { type: 'object', properties: { message: string }, required: ['message'] };

/**
 * A missing token is a 401. A wrong one is a 403 on AWS, where the Lambda authorizer refuses it before the
 * API is reached, and a 401 from the local server: clients treat both alike.
 */
const bearerResponses = {
  '401': {
    description:
      'Missing bearer token (locally also a wrong one); on AWS the body is API Gateway\'s {"message":"Unauthorized"}',
    content: { 'application/json': { schema: { anyOf: [schemaRef('Error'), gatewayError] } } },
  },
  '403': {
    description:
      'Wrong bearer token, on AWS only (the Lambda authorizer refused it): {"message":"Forbidden"}; the local server answers 401',
    content: { 'application/json': { schema: gatewayError } },
  },
};

const SUCCESS: Record<WriteRoute['method'], [string, string]> = {
  PUT: ['200', 'Stored; the answer is the stored document with its id'],
  POST: ['201', 'Created; the answer is what was created'],
  DELETE: ['204', 'Deleted (also when it was not there)'],
};

const writeOperation = (route: WriteRoute) => {
  const [status, description] = SUCCESS[route.method];
  return {
    [route.method.toLowerCase()]: {
      summary: route.summary,
      operationId: operationId(route.method.toLowerCase(), route.path),
      parameters: Object.entries(route.pathParams).map(([name, schema]) => ({
        name,
        in: 'path',
        required: true,
        schema,
      })),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaRef(route.body) } } } }
        : {}),
      responses: {
        [status]: {
          description,
          ...(route.answer ? { content: { 'application/json': { schema: schemaRef(route.answer) } } } : {}),
        },
        '400': errorResponse('The body or the id is invalid (the message names the field)'),
        ...Object.fromEntries(Object.entries(route.refusals ?? {}).map(([code, why]) => [code, errorResponse(why)])),
        ...bearerResponses,
      },
    },
  };
};

const getOperation = (route: ReadRoute) => {
  const isPublic = route.auth === 'public';
  return {
    get: {
      summary: route.summary,
      operationId: operationId('get', route.path),
      ...(isPublic ? { security: [] } : {}),
      parameters: Object.entries(route.params).map(([name, p]) => ({
        name,
        in: 'query',
        description: p.description,
        required: p.required ?? false,
        schema: p.schema,
        ...(p.example === undefined ? {} : { example: p.example }),
      })),
      responses: {
        '200': {
          description: route.summary,
          headers: { ETag: { schema: string }, 'Cache-Control': { schema: string } },
          content: Object.fromEntries(route.formats.map((f) => [f.mediaType, { schema: f.schema }])),
        },
        '304': { description: 'Not modified: the If-None-Match matched the current ETag' },
        ...(Object.keys(route.params).length > 0 ? { '400': errorResponse('A parameter is invalid') } : {}),
        ...(isPublic ? {} : bearerResponses),
        '406': errorResponse('None of the Accept types is offered'),
      },
    },
  };
};

/** Each documented route's operation under its path: read routes as GET, write routes by their method. */
const pathsOf = (routes: readonly HttpRoute[]): Record<string, object> => {
  const paths: Record<string, object> = {};
  for (const route of routes) {
    const operation =
      route.kind === 'read' ? getOperation(route) : route.kind === 'write' ? writeOperation(route) : undefined;
    if (operation) paths[route.path] = { ...paths[route.path], ...operation };
  }
  return paths;
};

/**
 * The OpenAPI 3.1 document of the API, generated from the route table so it cannot drift: its read routes
 * (GET) and write routes (PUT). Webhooks (each provider's own payload and signature), CORS preflights and the
 * local stack's own routes are not in it.
 */
export const openApiDocument = (routes: readonly HttpRoute[]) => ({
  openapi: '3.1.0',
  info: {
    title: 'Flash figures query API',
    version: '1.0.0',
    description:
      'Live business figures. Every answer carries an ETag (a matching If-None-Match gets 304) and Cache-Control; ' +
      'answers under /v1 need `Authorization: Bearer <token>` when the deployment sets one. A missing token is ' +
      "answered 401. A wrong one is answered 403 on AWS, where API Gateway's Lambda authorizer refuses it before the " +
      'API is reached (body {"message":"Forbidden"}; its 401 body is {"message":"Unauthorized"}), and 401 by the ' +
      'local server: treat 401 and 403 alike, the token is missing or wrong.',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: answerSchemas,
  },
  paths: pathsOf(routes),
  security: [{ bearer: [] }],
});
