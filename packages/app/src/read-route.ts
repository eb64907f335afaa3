import type { MetricContext } from '@flash/core';
import type { JsonSchema } from './schemas.js';

/**
 * The small framework of the read routes (GET, answered by the query function): a route declares its query
 * parameters (documentation and parser) and its representations; its answer is bound apart (query.ts).
 */

/** A request the route cannot answer as asked: 400 with this message. */
export class BadRequest extends Error {}

/** What a parameter's parser may read besides the parameter: the clock and the metric settings. */
export interface ParseContext {
  now: () => Date;
  ctx: MetricContext;
}

/** A query parameter: its documentation and its parser, which throws BadRequest with a clear message. */
export interface Param<T> {
  description: string;
  schema: JsonSchema;
  required?: boolean;
  example?: string;
  parse: (raw: string | undefined, context: ParseContext) => T;
}
export type Params = Record<string, Param<unknown>>;
export type Parsed<P extends Params> = { [K in keyof P]: P[K] extends Param<infer T> ? T : never };

/** One representation of an answer; the first a route lists is the default. */
export interface Format<A> {
  /** Without parameters: what Accept is matched against and the OpenAPI content key. */
  mediaType: string;
  contentType: string;
  schema: JsonSchema;
  render: (answer: A) => string;
}
export type Formats<A> = readonly [Format<A>, ...Format<A>[]];

/** What a read route is made of, for parsing and rendering. */
export interface ReadSpec<P extends Params, A> {
  path: string;
  params: P;
  formats: Formats<A>;
}

export interface Rendered {
  format: Format<unknown>;
  body: string;
  /** What the ETag covers: the answer without `asOf`, which changes on every request. */
  validator: string;
}

/** The query parameters parsed by the route's parsers; an unknown one is refused, naming those it takes. */
export const parseParams = <P extends Params>(
  spec: ReadSpec<P, unknown>,
  query: Readonly<Record<string, string | undefined>>,
  context: ParseContext,
): Parsed<P> => {
  const unknown = Object.keys(query).filter((name) => !Object.hasOwn(spec.params, name));
  if (unknown.length > 0) {
    const known = Object.keys(spec.params);
    throw new BadRequest(
      `unknown parameter ${unknown.map((n) => `"${n}"`).join(', ')}; ${spec.path} takes ${known.length > 0 ? known.join(', ') : 'none'}`,
    );
  }
  return Object.fromEntries(
    Object.entries(spec.params).map(([name, param]) => [name, param.parse(query[name], context)]),
  ) as Parsed<P>;
};

/** The answer in the representation at `formatIndex` (the default when out of range). */
export const render = <A>(formats: Formats<A>, formatIndex: number, answer: A): Rendered => {
  const format = formats[formatIndex] ?? formats[0];
  const figures = typeof answer === 'object' && answer !== null ? { ...answer, asOf: undefined } : answer;
  return {
    format: format as Format<unknown>,
    body: format.render(answer),
    validator: `${format.mediaType}\n${JSON.stringify(figures)}`,
  };
};
