/**
 * The query API as the page reads it: the type of every answer it reads, taken from the server code that
 * writes it (type-only imports: esbuild erases them, so nothing server-side reaches the bundle), and a GET
 * that revalidates with If-None-Match.
 */
import type {
  acquisitionReport,
  alertsWithNames,
  coachingReport,
  evaluateKpis,
  forecastAnswer,
  segmentsReport,
  stagesAnswer,
} from '@flash/app';
import type { EntityData, Month, metricsReport, Profile, pipelineRequirements, User } from '@flash/core';

type SurveyResponse = EntityData['survey_response'];

export type MetricsAnswer = ReturnType<typeof metricsReport>;
export type RequirementsAnswer = ReturnType<typeof pipelineRequirements>;
export type SegmentsAnswer = Awaited<ReturnType<typeof segmentsReport>>;
export type CoachingAnswer = Awaited<ReturnType<typeof coachingReport>>;
export type AcquisitionAnswer = Awaited<ReturnType<typeof acquisitionReport>>;
export type KpisAnswer = Awaited<ReturnType<typeof evaluateKpis>>;
export type Kpi = KpisAnswer['kpis'][number];
export type ForecastAnswer = Awaited<ReturnType<typeof forecastAnswer>>;
export type StagesAnswer = Awaited<ReturnType<typeof stagesAnswer>>;

/** `GET /v1/nps/detractors` (packages/app/src/query.ts). */
export interface DetractorsAnswer {
  period: Month;
  detractors: {
    id: string;
    source: string;
    score: SurveyResponse['score'];
    comment: SurveyResponse['comment'];
    contact: SurveyResponse['email'];
    customerId: SurveyResponse['customerId'];
    customerName: string | null;
    submittedAt: SurveyResponse['submittedAt'];
  }[];
}

/**
 * `GET /v1/metrics/series` (CONTRACT section 7): one element per month, each month's blocks exactly as
 * `GET /v1/metrics?period=` answers them; the page reads these blocks.
 */
export interface SeriesAnswer {
  timezone: string;
  currency: string;
  months: Pick<
    MetricsAnswer,
    'period' | 'nps' | 'billing' | 'margin' | 'pipeline' | 'activeCustomers' | 'prospectsInPipeline'
  >[];
}
export type SeriesMonth = SeriesAnswer['months'][number];

export interface AlertsAnswer {
  alerts: Awaited<ReturnType<typeof alertsWithNames>>;
}

export interface UsersAnswer {
  users: (User & { id: string; ownerIds: string[] })[];
}

export interface ProfilesAnswer {
  profiles: (Profile & { id: string })[];
}

/** The blocks of the page ("slots"), each filled from one route. */
export interface Answers {
  metrics: MetricsAnswer;
  series: SeriesAnswer;
  detractors: DetractorsAnswer;
  alerts: AlertsAnswer;
  segments: SegmentsAnswer;
  coaching: CoachingAnswer;
  users: UsersAnswer;
  profiles: ProfilesAnswer;
  kpis: KpisAnswer;
  requirements: RequirementsAnswer;
  acquisition: AcquisitionAnswer;
  forecast: ForecastAnswer;
  stageTimes: StagesAnswer;
}
export type Slot = keyof Answers;

const PATHS: Record<Slot, string> = {
  metrics: '/v1/metrics',
  series: '/v1/metrics/series',
  detractors: '/v1/nps/detractors',
  alerts: '/v1/alerts',
  segments: '/v1/metrics/segments',
  coaching: '/v1/coaching',
  users: '/v1/users',
  profiles: '/v1/profiles',
  kpis: '/v1/kpis',
  requirements: '/v1/pipeline/requirements',
  acquisition: '/v1/acquisition',
  forecast: '/v1/forecast',
  stageTimes: '/v1/pipeline/stages',
};

/** The API wants a (new) token; the message says why, empty when none was given. */
export class AuthNeeded extends Error {}

/** The `error` of a problem answer (`{ "error": "…" }`), or '' when the body has none. */
const problemOf = (body: unknown): string =>
  typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string' ? body.error : '';

export interface Api {
  /**
   * GET for one slot. It revalidates only what the slot shows: resolves to the new answer, or to null when
   * the server answered 304, so the DOM stays as it is.
   */
  get<S extends Slot>(slot: S, query?: string): Promise<Answers[S] | null>;
  /** Forgets what a slot shows, so its next GET answers in full. */
  forget(slot: Slot): void;
}

export const makeApi = (base: string, tokenKey: string): Api => {
  const shown = new Map<Slot, { url: string; etag: string | null }>();
  return {
    async get(slot, query = '') {
      const url = base + PATHS[slot] + query;
      const current = shown.get(slot);
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (current && current.url === url && current.etag !== null) headers['If-None-Match'] = current.etag;
      const token = sessionStorage.getItem(tokenKey);
      if (token) headers.Authorization = `Bearer ${token}`;
      // no-store: the browser's cache would turn our 304s into 200s and hide that nothing changed.
      const res = await fetch(url, { headers, cache: 'no-store' });
      if (res.status === 304 && headers['If-None-Match']) return null;
      // The API answers 401; API Gateway's authorizer answers 403 to a wrong token.
      if (res.status === 401 || res.status === 403) throw new AuthNeeded(token ? 'That token was refused.' : '');
      const body: unknown = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(problemOf(body) || `HTTP ${res.status}`);
      shown.set(slot, { url, etag: res.headers.get('ETag') });
      // The answer of this slot's route, as typed by the server code that writes it.
      return body as Answers[typeof slot];
    },
    forget(slot) {
      shown.delete(slot);
    },
  };
};
