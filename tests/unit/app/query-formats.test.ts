import { corsOriginsFromEnv, exposition, type Family } from '@flash/app';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { negotiate } from '../../../packages/app/src/negotiate.js';

describe('Prometheus exposition', () => {
  const families: Family[] = [
    {
      name: 'flash_test_amount',
      help: 'A help text with a backslash \\ and\na newline.',
      samples: [
        { labels: { owner: 'Ann "the \\ boss"\nSmith', currency: 'EUR' }, value: 1.5 },
        { labels: { owner: 'nobody', currency: 'EUR' }, value: null },
        { labels: { owner: 'inf' }, value: Number.POSITIVE_INFINITY },
        { labels: { owner: 'nan' }, value: Number.NaN },
        { labels: { owner: 'big' }, value: -1e21 },
      ],
    },
  ];

  it('escapes label values and HELP so a real parser reads back the original strings', () => {
    const text = exposition(families, 'prometheus');
    expect(text).toContain('owner="Ann \\"the \\\\ boss\\"\\nSmith"');
    const [family] = parsePrometheusTextFormat(text);
    expect(family).toEqual({
      name: 'flash_test_amount',
      help: 'A help text with a backslash \\ and\na newline.',
      type: 'GAUGE',
      metrics: [
        { labels: { owner: 'Ann "the \\ boss"\nSmith', currency: 'EUR' }, value: '1.5' },
        { labels: { owner: 'inf' }, value: '+Inf' },
        { labels: { owner: 'nan' }, value: 'NaN' },
        { labels: { owner: 'big' }, value: '-1e+21' },
      ],
    });
  });

  it('ends OpenMetrics with # EOF', () => {
    expect(exposition(families, 'openmetrics').endsWith('\n# EOF\n')).toBe(true);
  });

  it('refuses names the format cannot carry', () => {
    expect(() => exposition([{ name: 'flash-bad', help: 'x', samples: [] }], 'prometheus')).toThrow(/metric name/);
    expect(() =>
      exposition([{ name: 'ok', help: 'x', samples: [{ labels: { 'a-b': '1' }, value: 1 }] }], 'prometheus'),
    ).toThrow(/label name/);
  });
});

describe('content negotiation', () => {
  const offered = ['application/json', 'text/plain', 'application/openmetrics-text'];
  it.each([
    [undefined, 0],
    ['*/*', 0],
    ['text/html,application/xhtml+xml,*/*;q=0.8', 0],
    ['text/plain', 1],
    ['text/*', 1],
    ['application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1', 2],
    ['application/json;q=0, */*', 1],
    ['image/png', undefined],
  ])('Accept %s picks offer %s', (accept, index) => {
    expect(negotiate(accept, offered)).toBe(index);
  });
});

describe('CORS_ORIGINS', () => {
  it('reads a comma-separated list of origins, or *', () => {
    expect(corsOriginsFromEnv({ CORS_ORIGINS: ' https://a.example , http://localhost:5173,' })).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(corsOriginsFromEnv({ CORS_ORIGINS: '*' })).toEqual(['*']);
    expect(corsOriginsFromEnv({})).toEqual([]);
  });

  it('refuses what is not an origin', () => {
    expect(() => corsOriginsFromEnv({ CORS_ORIGINS: 'https://a.example/' })).toThrow(
      /"https:\/\/a.example\/" is not an origin/,
    );
    expect(() => corsOriginsFromEnv({ CORS_ORIGINS: 'a.example' })).toThrow(/not an origin/);
  });
});
