import { DIMENSIONS, LEVERS } from '@flash/core';
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
/** A name shown beside an id, as it is now (read with the answer); null when none is known. */
const nameOf = (what: string): JsonSchema => ({
  ...nullable(string),
  description: `${what}, as it is now; null when unknown`,
});
const customerName = nameOf("The customer's name (its customer events' `name`)");
const ownerName = nameOf('The name of the user whose `ownerIds` hold the owner id');
const stageName = nameOf(
  "The stage's label: configured (PUT /v1/stages/{source}), else learnt from the provider's API",
);

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

const NOW_FIGURE =
  'As of now for the period in progress; for a past period, at the end of its last day (its snapshot; null when none was taken); null for a future period. See nowFigures.';
const day: JsonSchema = { type: 'string', format: 'date', examples: ['2026-11-23'] };
const period: JsonSchema = {
  type: 'string',
  pattern: '^\\d{4}(-(0[1-9]|1[0-2]))?$',
  description: 'A month (YYYY-MM) or a year (YYYY)',
  examples: ['2026-11', '2026'],
};

const pipelineFigure = {
  created: count,
  won: count,
  lost: count,
  wonValue: number,
  openCount: { ...nullable(count), description: NOW_FIGURE },
  openValue: { ...nullable(number), description: NOW_FIGURE },
  hitRate: { ...nullable(number), minimum: 0, maximum: 1 },
  avgDealSize: nullable(number),
  leadTimeDays: nullable(number),
  otherCurrencies: otherCurrencies('wonValue', 'openValue'),
  updatedAt,
};

/** One what-if scenario of the requirements: the levers as changed and what they require. */
const whatIfScenario = record({
  changes: {
    type: 'object',
    propertyNames: { enum: [...LEVERS] },
    additionalProperties: string,
    description: 'The changes applied, as normalised (`{"hitRate": "+2pt"}`)',
  },
  hitRate: { ...nullable(number), minimum: 0, maximum: 1 },
  avgDealSize: nullable(number),
  leadTimeDays: nullable(number),
  newCountPerMonth: nullable(number),
  requiredNewValuePerMonth: nullable(number),
  requiredNewCountPerMonth: nullable(number),
  requiredPipelineValue: nullable(number),
  salesVelocityChangePct: {
    ...nullable(number),
    description: 'Change of opportunities × deal size × hit rate ÷ lead time against now, percent',
  },
});

/** Spend, new customers and CAC (spend ÷ new customers; null without any), base currency first. */
const cacFields = {
  newCustomers: count,
  spend: number,
  cac: nullable(number),
  otherCurrencies: {
    type: 'object',
    description: "Each other currency's spend and its part of the CAC, never converted",
    propertyNames: currency,
    additionalProperties: record({ spend: number, cac: nullable(number) }),
  },
};

const basketFields = { billing: number, billedCustomers: count, basketPerCustomer: nullable(number) };

/** A forecast month's figures, in major units of one currency. */
const forecastFigures = {
  sold: { ...number, description: 'Value won' },
  weightedPipeline: { ...number, description: 'Open value expected to close, times its stage probability' },
  forecast: { ...number, description: 'sold + weightedPipeline' },
  budget: { ...nullable(number), description: 'null: no budget set in this currency' },
};

/** What a detractor answer says, in the drill-down and in its alert. */
const detractorFields = {
  score: { type: 'integer', minimum: 0, maximum: 6 },
  comment: nullable(string),
  contact: nullable(string),
  customerId: nullable(string),
  customerName,
  submittedAt: instant,
};

const refTo = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** The flow figures a comparison holds for a span. */
const headline = {
  from: nullable(day),
  to: nullable(day),
  nps: refTo('NpsCounts'),
  billing: number,
  pipeline: record({ created: count, won: count, lost: count, wonValue: number }),
  otherCurrencies: otherCurrencies('billing', 'wonValue'),
};

/** What /v1/metrics answers for a period, and each month of a series holds. */
const periodFigures = {
  period,
  nps: refTo('Nps'),
  billing: refTo('Billing'),
  margin: refTo('Margin'),
  activeCustomers: { ...nullable(count), description: NOW_FIGURE },
  prospectsInPipeline: { ...nullable(count), description: NOW_FIGURE },
  customersUpdatedAt: updatedAt,
  pipeline: refTo('PipelineFigure'),
  nowFigures: refTo('NowFigures'),
  acquisition: refTo('AcquisitionHeadline'),
  comparisons: refTo('Comparisons'),
};

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
  Margin: record(
    {
      year: { type: 'integer' },
      billing: number,
      cost: number,
      margin: number,
      marginPct: nullable(number),
      otherCurrencies: otherCurrencies('billing', 'cost', 'margin'),
      thisMonth: {
        oneOf: [refTo('MarginSpan'), { type: 'null' }],
        description: "For a month: the month's own billing, costs and margin; null for a year",
      },
      yearToMonth: {
        oneOf: [refTo('MarginSpan'), { type: 'null' }],
        description: "For a month: January to the month's end of its year (the cumulative margin); null for a year",
      },
      updatedAt,
    },
    "The margin of the period's year (billing minus the costs that count), in the base currency",
  ),
  MarginSpan: record({ billing: number, cost: number, margin: number, marginPct: nullable(number) }),
  PipelineFigure: record(pipelineFigure),
  AcquisitionHeadline: record(
    { ...cacFields, updatedAt },
    'Spend dated in the period, customers new in it (first won deal or issued invoice) and CAC = spend ÷ new customers; per channel in GET /v1/acquisition',
  ),
  Metrics: record({ timezone: string, currency, asOf: instant, ...periodFigures }),
  Series: record({
    from: month,
    to: month,
    timezone: string,
    currency,
    asOf: instant,
    months: {
      type: 'array',
      description:
        'One element per month from `from` to `to`, each exactly as GET /v1/metrics?period= answers it, without timezone, currency and asOf',
      items: refTo('PeriodFigures'),
    },
  }),
  PeriodFigures: record(periodFigures),
  NowFigures: record(
    {
      basis: {
        type: 'string',
        enum: ['live', 'periodEnd', 'none'],
        description: 'live: the period is in progress; periodEnd: the snapshot of its last day; none: a future period',
      },
      date: { ...nullable(day), description: 'The day whose snapshot the figures are (periodEnd only)' },
      figures: { type: 'array', items: string, description: 'The figures this applies to' },
    },
    'Where the "now" figures (active customers, prospects, open pipeline) come from for this period',
  ),
  Headline: record(
    headline,
    'The flow figures over a span of days: NPS, billing, deals created, won and lost, value won',
  ),
  AtPeriodEnd: {
    ...nullable(
      record({
        basis: { type: 'string', enum: ['live', 'periodEnd'] },
        date: nullable(day),
        activeCustomers: nullable(count),
        prospectsInPipeline: nullable(count),
        openCount: nullable(count),
        openValue: nullable(number),
      }),
    ),
    description: 'The "now" figures at the end of the period compared with; null without a snapshot of its last day',
  },
  Comparisons: record(
    {
      previous: record(
        { period, ...headline, atPeriodEnd: refTo('AtPeriodEnd') },
        'The previous period (the month or the year before), whole',
      ),
      yearAgo: {
        oneOf: [record({ period: month, ...headline, atPeriodEnd: refTo('AtPeriodEnd') }), { type: 'null' }],
        description: 'The same month a year earlier, whole; null for a year (its previous period is a year ago)',
      },
      toDate: {
        oneOf: [record({ through: day, current: refTo('Headline'), previous: refTo('Headline') }), { type: 'null' }],
        description:
          'The period in progress from its first day to today against the previous period to the same day of the month (its last day when shorter); null for a period not in progress',
      },
      yearToDate: { ...refTo('Headline'), description: "January to the period's last month, of the period's year" },
    },
    'The headline flow figures of the periods compared with (docs/metrics.md, "Comparisons")',
  ),
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
    whatIf: {
      ...nullable(
        record({
          scenarios: { type: 'array', items: whatIfScenario, description: 'Each change applied alone' },
          combined: { ...nullable(whatIfScenario), description: 'Every change together; null for a single change' },
          bestLever: {
            type: ['string', 'null'],
            enum: [...LEVERS, null],
            description:
              'The lever whose change alone raises sales velocity most (opportunities × deal size × hit rate ÷ lead time); null when none can be compared',
          },
        }),
      ),
      description: 'Null unless the request changes a lever (hitRate, dealSize, leadTime, opportunities)',
    },
  }),
  Acquisition: record({
    period: month,
    currency,
    ...cacFields,
    byChannel: {
      type: 'array',
      description:
        "Per channel: spend by the spend's channel (or campaign), new customers by the customer's channel; most new customers first",
      items: record({ channel: nullable(string), ...cacFields }),
    },
    bySource: {
      type: 'array',
      description: 'Opportunities created in the month per deal source, and how many of them are won (conversion)',
      items: record({
        source: nullable(string),
        created: count,
        won: count,
        conversionRate: { ...nullable(number), minimum: 0, maximum: 1 },
      }),
    },
    bySegment: {
      type: 'array',
      description:
        "Per customer segment: new customers, and the average basket (billing of the segment's customers ÷ those with an issued invoice in the month)",
      items: record({
        segment: nullable(string),
        newCustomers: count,
        ...basketFields,
        otherCurrencies: { type: 'object', propertyNames: currency, additionalProperties: record(basketFields) },
      }),
    },
    updatedAt,
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
            description:
              "The customer's name, billing this year, open pipeline value and labels when the alert was raised",
            properties: {
              customerId: string,
              customerName: nullable(string),
              currency,
              billingThisYear: number,
              openPipelineValue: number,
              openDeals: count,
              segment: nullable(string),
              channel: nullable(string),
              owner: nullable(string),
            },
          },
          ownerName: nameOf("The name of the user who owns the alert's customer (atStake.owner)"),
          notified: { type: 'boolean' },
        },
        required: ['key', 'raisedAt', 'responseId', 'source', 'score', 'customerName', 'ownerName', 'submittedAt'],
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
    name: nameOf('By owner: the name of the user the owner id maps to (null for segments and channels, names already)'),
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
    ownerName,
    currency,
    bySource: {
      type: 'array',
      items: record({ source: nullable(string), created: count, won: count, conversionRate: nullable(number) }),
    },
    won: count,
    lost: count,
    lostReasons: { type: 'array', items: record({ reason: nullable(string), lost: count }) },
    openByStage: {
      type: 'array',
      description: "Open deals per stage; a stage is its source's stage id",
      items: record({ source: string, stage: nullable(string), stageName, openCount: count, openValue: number }),
    },
    staleDeals: {
      type: 'array',
      description: 'Open deals past their expected close date with no change since',
      items: record({
        id: string,
        source: string,
        title: nameOf("The deal's title (Pipedrive `title`, HubSpot `dealname`)"),
        ownerId: nullable(string),
        ownerName,
        customerId: nullable(string),
        customerName,
        stage: nullable(string),
        stageName,
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
  Stages: record({
    stages: {
      type: 'array',
      description: "Per stage; a stage is its source's stage id (Pipedrive's 4 is not HubSpot's)",
      items: record({
        source: string,
        stage: string,
        stageName,
        stays: { ...count, description: 'Stays that ended: the deal moved to another stage or closed' },
        meanDays: nullable(number),
        medianDays: { ...nullable(number), description: 'Exact median of the stays counted in whole hours, in days' },
        lost: { ...count, description: 'Lost deals last seen open in this stage' },
        closedReached: {
          ...count,
          description: 'Closed deals that reached the stage: the learnt probability’s sample',
        },
        wonReached: count,
        learntProbability: { ...nullable(number), minimum: 0, maximum: 1 },
        override: { ...nullable(number), minimum: 0, maximum: 1 },
        probability: { ...nullable(number), minimum: 0, maximum: 1, description: 'override, else learnt' },
      }),
    },
    lostWithoutStage: { ...count, description: 'Lost deals never seen open in a stage' },
    updatedAt,
  }),
  Forecast: record({
    from: month,
    to: month,
    owner: nullable(string),
    currency,
    currentMonth: month,
    months: { type: 'array', items: refTo('ForecastMonth') },
    unscheduled: record(
      {
        count,
        weightedPipeline: number,
        otherCurrencies: otherCurrencies('weightedPipeline'),
      },
      'Open deals without an expected close date: in no month',
    ),
    probabilities: {
      type: 'array',
      description: "Each stage's probability; a stage is its source's stage id",
      items: record({
        source: string,
        stage: string,
        stageName,
        learnt: { ...nullable(number), minimum: 0, maximum: 1 },
        sample: { ...count, description: 'Closed deals that reached the stage' },
        won: count,
        override: { ...nullable(number), minimum: 0, maximum: 1 },
        used: { ...nullable(number), minimum: 0, maximum: 1 },
      }),
    },
    updatedAt,
  }),
  ForecastMonth: record({
    month,
    ...forecastFigures,
    accumulated: record(forecastFigures, 'From the first month of the range to this one'),
    otherCurrencies: {
      type: 'object',
      propertyNames: currency,
      additionalProperties: record({ ...forecastFigures, accumulated: record(forecastFigures) }),
    },
  }),
  Budgets: record({ budgets: { type: 'array', items: refTo('Budget') } }),
  Profiles: record({ profiles: { type: 'array', items: refTo('Profile') } }),
  Users: record({ users: { type: 'array', items: refTo('User') } }),
  StageLabelsList: record({
    stages: { type: 'array', items: refTo('StageLabels'), description: 'The configured stage labels, per source' },
  }),
  // KpiTemplate, ProfileBody, Profile, UserBody, User, StageLabelsBody, StageLabels: generated from the zod
  // schemas that validate them.
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
