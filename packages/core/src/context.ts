/** Configuration every metric needs; comes in as an argument, never from the environment. */
export interface MetricContext {
  /** IANA zone that defines "this month" and "this year". */
  timeZone: string;
  /** ISO code of the headline currency; other currencies are reported beside it, never converted. */
  baseCurrency: string;
}
