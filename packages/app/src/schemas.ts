import { DIMENSIONS } from '@flash/core';
import { configSchemas } from './generated/config-schemas.js';

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

/** The answers' and bodies' schemas, as `components.schemas` of the OpenAPI document. */
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
    by: { type: 'string', enum: [...DIMENSIONS] },
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
    activities: record(
      Object.fromEntries(
        ['meeting', 'call', 'email', 'task'].map((kind) => [kind, record({ planned: count, done: count })]),
      ),
      'Activities of the month per kind: planned (not done, due in the month) and done in it; by owner, the activity reports; by segment, the commercial effort beside the value won',
    ),
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
    period: month,
    asOf: instant,
    kpis: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          template: refTo('KpiTemplate'),
          label: string,
          unit: string,
          days: count,
          months: count,
          kind: { type: 'string', enum: ['meeting', 'call', 'email', 'task'] },
          actual: nullable(number),
          target: number,
          scoreRule: {
            type: 'string',
            enum: ['higher', 'ceiling', 'points'],
            description:
              'higher: actual / target in percent; ceiling: 100 at or under the target, target / actual above it; points: actual − target',
          },
          scoreUnit: { type: 'string', enum: ['percent', 'points'] },
          score: { ...nullable(number), description: 'by scoreRule, one decimal; null where undefined' },
          updatedAt,
        },
        required: ['template', 'label', 'unit', 'actual', 'target', 'scoreRule', 'scoreUnit', 'score', 'updatedAt'],
        additionalProperties: false,
      },
    },
  }),
  TeamKpis: record({
    profile: record({ id: string, name: string }),
    period: month,
    asOf: instant,
    users: { type: 'array', items: refTo('Kpis') },
  }),
  IssuedToken: record({
    tokenId: string,
    token: { type: 'string', description: 'The bearer token; shown in this answer only (it is stored hashed)' },
    userId: string,
    label: nullable(string),
    companyFigures: { type: 'boolean' },
    createdAt: instant,
  }),
  KpisAnswer: {
    oneOf: [refTo('Kpis'), refTo('TeamKpis')],
    description: 'One user (`user=`) or a profile (`profile=`)',
  },
  Profiles: record({ profiles: { type: 'array', items: refTo('Profile') } }),
  Users: record({ users: { type: 'array', items: refTo('User') } }),
  // KpiTemplate, ProfileBody, Profile, UserBody, User: generated from the zod schemas that validate them.
  ...configSchemas,
  OpenApi: {
    type: 'object',
    description: 'This OpenAPI 3.1 document',
    properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, paths: { type: 'object' } },
    required: ['openapi', 'paths'],
  },
} satisfies Record<string, JsonSchema>;

export type SchemaName = keyof typeof answerSchemas;
export const schemaRef = (name: SchemaName): JsonSchema => refTo(name);
