import {
  exposition,
  type Family,
  type MetricsReport,
  metricsFamilies,
  OPENMETRICS_TEXT,
  PROMETHEUS_TEXT,
} from './prometheus.js';
import type { Format } from './read-route.js';
import { type JsonSchema, type SchemaName, schemaRef } from './schemas.js';

/** The representations the read routes answer in: JSON by a named answer schema, Prometheus text, HTML. */

export const jsonFormat = (schema: SchemaName): Format<unknown> => ({
  mediaType: 'application/json',
  contentType: 'application/json; charset=utf-8',
  schema: schemaRef(schema),
  render: (answer) => JSON.stringify(answer),
});

const textSchema: JsonSchema = { type: 'string' };

export const htmlFormat: Format<string> = {
  mediaType: 'text/html',
  contentType: 'text/html; charset=utf-8',
  schema: textSchema,
  render: String,
};

/** An answer as gauges: Prometheus text 0.0.4 first, OpenMetrics 1.0 by Accept. */
export const prometheusFormatsOf = <A>(families: (answer: A) => Family[]): readonly [Format<A>, Format<A>] => [
  {
    mediaType: 'text/plain',
    contentType: PROMETHEUS_TEXT,
    schema: textSchema,
    render: (answer) => exposition(families(answer), 'prometheus'),
  },
  {
    mediaType: 'application/openmetrics-text',
    contentType: OPENMETRICS_TEXT,
    schema: textSchema,
    render: (answer) => exposition(families(answer), 'openmetrics'),
  },
];

/** The headline figures as gauges. */
export const prometheusFormats: readonly [Format<MetricsReport>, Format<MetricsReport>] =
  prometheusFormatsOf(metricsFamilies);
