/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1), loosely typed: it is only ever serialised. */
export type JsonSchema = { [keyword: string]: unknown };

const string: JsonSchema = { type: 'string' };
const number: JsonSchema = { type: 'number' };
const count: JsonSchema = { type: 'integer', minimum: 0 };
const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, type: [schema.type, 'null'] });
const month: JsonSchema = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', examples: ['2026-11'] };
const currency: JsonSchema = { type: 'string', pattern: '^[A-Z]{3}$', examples: ['EUR'] };
const instant: JsonSchema = { type: 'string', format: 'date-time' };
const updatedAt: JsonSchema = { ...nullable(instant), description: 'When an event last changed the figure' };

/** Every property required and no other: the answers are exact, so drift shows in the tests. */
const record = (properties: Record<string, JsonSchema>, description?: string): JsonSchema => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

/** Amounts in currencies other than the base one, never converted: `{ "USD": { "thisMonth": 10 } }`. */
const otherCurrencies = (...fields: string[]): JsonSchema => ({
  type: 'object',
  propertyNames: currency,
  additionalProperties: record(Object.fromEntries(fields.map((f) => [f, number]))),
});

const pipelineFigure = {
  created: count,
  won: count,
  lost: count,
  wonValue: number,
  openCount: count,
  openValue: number,
  hitRate: { ...nullable(number), minimum: 0, maximum: 1 },
  avgDealSize: nullable(number),
  leadTimeDays: nullable(number),
  otherCurrencies: otherCurrencies('wonValue', 'openValue'),
  updatedAt,
};

/** What a detractor answer says, in the drill-down and in its alert. */
const detractorFields = {
  score: { type: 'integer', minimum: 0, maximum: 6 },
  comment: nullable(string),
  contact: nullable(string),
  customerId: nullable(string),
  submittedAt: instant,
};

const refTo = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** The answers' schemas, as `components.schemas` of the OpenAPI document. */
export const answerSchemas = {
  Error: record({ error: string }),
  Nps: record({
    score: { ...nullable(number), minimum: -100, maximum: 100 },
    promoters: count,
    passives: count,
    detractors: count,
    responses: count,
    updatedAt,
  }),
  Billing: record({
    thisMonth: number,
    lastMonth: number,
    changePct: nullable(number),
    otherCurrencies: otherCurrencies('thisMonth', 'lastMonth'),
    updatedAt,
  }),
  Margin: record({
    year: { type: 'integer' },
    billing: number,
    cost: number,
    margin: number,
    marginPct: nullable(number),
    otherCurrencies: otherCurrencies('billing', 'cost', 'margin'),
    updatedAt,
  }),
  PipelineFigure: record(pipelineFigure),
  Metrics: record({
    period: month,
    timezone: string,
    currency,
    asOf: instant,
    nps: refTo('Nps'),
    billing: refTo('Billing'),
    margin: refTo('Margin'),
    activeCustomers: count,
    prospectsInPipeline: count,
    customersUpdatedAt: updatedAt,
    pipeline: refTo('PipelineFigure'),
  }),
  Pipeline: record({ period: month, owner: nullable(string), currency, ...pipelineFigure }),
  Requirements: record({
    period: month,
    owner: nullable(string),
    budget: number,
    currency,
    basedOn: record({ from: month, to: month, months: count }, 'The full months the rates are taken from'),
    hitRate: nullable(number),
    avgDealSize: nullable(number),
    leadTimeDays: nullable(number),
    requiredNewValuePerMonth: nullable(number),
    actualNewValuePerMonth: number,
    requiredNewCountPerMonth: nullable(number),
    actualNewCountPerMonth: number,
    requiredPipelineValue: nullable(number),
    actualPipelineValue: number,
  }),
  Detractors: record({
    period: month,
    detractors: {
      type: 'array',
      items: record({ id: string, source: string, ...detractorFields }),
    },
  }),
  Alerts: record({
    alerts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: string,
          raisedAt: instant,
          responseId: string,
          source: string,
          ...detractorFields,
          atStake: {
            ...nullable({ type: 'object' }),
            description: "The customer's billing this year, open pipeline value and labels when the alert was raised",
            properties: {
              customerId: string,
              currency,
              billingThisYear: number,
              openPipelineValue: number,
              openDeals: count,
              segment: nullable(string),
              channel: nullable(string),
              owner: nullable(string),
            },
          },
          notified: { type: 'boolean' },
        },
        required: ['key', 'raisedAt', 'responseId', 'source', 'score', 'submittedAt'],
      },
    },
  }),
  Segments: record({
    period: month,
    by: { type: 'string', enum: ['segment', 'channel', 'owner'] },
    currency,
    segments: { type: 'array', items: refTo('Segment') },
    total: refTo('Segment'),
    updatedAt,
  }),
  Segment: record({
    label: { ...nullable(string), description: 'null: customers without this label' },
    nps: refTo('NpsCounts'),
    billing: number,
    invoices: count,
    avgBasket: { ...nullable(number), description: 'Billing per invoice' },
    won: count,
    wonValue: number,
    otherCurrencies: otherCurrencies('billing', 'wonValue'),
  }),
  NpsCounts: record({
    score: { ...nullable(number), minimum: -100, maximum: 100 },
    promoters: count,
    passives: count,
    detractors: count,
    responses: count,
  }),
  Coaching: record({
    period: month,
    owner: nullable(string),
    currency,
    bySource: {
      type: 'array',
      items: record({ source: nullable(string), created: count, won: count, conversionRate: nullable(number) }),
    },
    won: count,
    lost: count,
    lostReasons: { type: 'array', items: record({ reason: nullable(string), lost: count }) },
    openByStage: { type: 'array', items: record({ stage: nullable(string), openCount: count, openValue: number }) },
    staleDeals: {
      type: 'array',
      description: 'Open deals past their expected close date with no change since',
      items: record({
        id: string,
        source: string,
        ownerId: nullable(string),
        customerId: nullable(string),
        stage: nullable(string),
        expectedCloseDate: string,
        lastChangeAt: instant,
      }),
    },
    updatedAt,
  }),
  Kpis: record({
    user: record({ id: string, name: string, ownerIds: { type: 'array', items: string } }),
    profile: record({ id: string, name: string }),
    asOf: instant,
    kpis: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          template: { type: 'string', enum: ['openDealsPlanned', 'dealsCreated', 'wonValue', 'hitRate', 'nps'] },
          label: string,
          unit: string,
          days: count,
          months: count,
          actual: nullable(number),
          target: number,
          score: { ...nullable(number), description: 'actual / target in percent; null without data or target' },
          updatedAt,
        },
        required: ['template', 'label', 'unit', 'actual', 'target', 'score', 'updatedAt'],
        additionalProperties: false,
      },
    },
  }),
  Profiles: record({ profiles: { type: 'array', items: refTo('Profile') } }),
  Profile: {
    type: 'object',
    properties: {
      id: string,
      name: string,
      kpis: {
        type: 'array',
        maxItems: 10,
        items: {
          type: 'object',
          properties: {
            template: { type: 'string', enum: ['openDealsPlanned', 'dealsCreated', 'wonValue', 'hitRate', 'nps'] },
            target: { type: 'number', minimum: 0 },
            days: { type: 'integer', minimum: 1, maximum: 365 },
            months: { type: 'integer', minimum: 1, maximum: 24 },
            label: string,
          },
          required: ['template', 'target'],
          additionalProperties: false,
        },
      },
    },
    required: ['name', 'kpis'],
    additionalProperties: false,
  },
  Users: record({ users: { type: 'array', items: refTo('User') } }),
  User: {
    type: 'object',
    properties: { id: string, name: string, profileId: string, ownerIds: { type: 'array', items: string } },
    required: ['name', 'profileId'],
    additionalProperties: false,
  },
  OpenApi: {
    type: 'object',
    description: 'This OpenAPI 3.1 document',
    properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, paths: { type: 'object' } },
    required: ['openapi', 'paths'],
  },
} satisfies Record<string, JsonSchema>;

export type SchemaName = keyof typeof answerSchemas;
export const schemaRef = (name: SchemaName): JsonSchema => refTo(name);

/** What the document needs to know of a route; the query handler's route table provides it. */
export interface RouteDoc {
  path: string;
  summary: string;
  public: boolean;
  params: Record<string, { description: string; schema: JsonSchema; required?: boolean; example?: string }>;
  formats: readonly { mediaType: string; schema: JsonSchema }[];
}

/** `/v1/pipeline/requirements` → `getV1PipelineRequirements`, `/` → `getRoot`. */
const operationId = (path: string): string =>
  `get${
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

/** A PUT route that stores a document under an id (KPI profiles, users). */
export interface WriteRouteDoc {
  path: string;
  summary: string;
  schema: SchemaName;
}

const putOperation = (route: WriteRouteDoc) => ({
  put: {
    summary: route.summary,
    operationId: operationId(route.path).replace(/^get/, 'put'),
    parameters: [
      { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._@-]{1,100}$' } },
    ],
    requestBody: { required: true, content: { 'application/json': { schema: schemaRef(route.schema) } } },
    responses: {
      '200': {
        description: 'Stored; the answer is the stored document with its id',
        content: { 'application/json': { schema: schemaRef(route.schema) } },
      },
      '400': errorResponse('The body or the id is invalid (the message names the field)'),
      '401': errorResponse('Missing or wrong bearer token'),
    },
  },
});

/** The OpenAPI 3.1 document of the API, generated from the route tables so it cannot drift. */
export const openApiDocument = (routes: readonly RouteDoc[], writeRoutes: readonly WriteRouteDoc[] = []) => ({
  openapi: '3.1.0',
  info: {
    title: 'Flash figures query API',
    version: '1.0.0',
    description:
      'Live business figures. Every answer carries an ETag (a matching If-None-Match gets 304) and Cache-Control; ' +
      'answers under /v1 need `Authorization: Bearer <token>` when the deployment sets one.',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: answerSchemas,
  },
  paths: Object.fromEntries([
    ...writeRoutes.map((route) => [route.path, putOperation(route)] as const),
    ...routes.map((route) => [
      route.path,
      {
        get: {
          summary: route.summary,
          operationId: operationId(route.path),
          ...(route.public ? { security: [] } : {}),
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
            ...(route.public ? {} : { '401': errorResponse('Missing or wrong bearer token') }),
            '406': errorResponse('None of the Accept types is offered'),
          },
        },
      },
    ]),
  ]),
  security: [{ bearer: [] }],
});
