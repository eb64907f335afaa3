import {
  AGGREGATE_SOURCE,
  ALERT_RAISED,
  ALERT_SOURCE,
  DETRACTOR_DETECTED,
  INGEST_SOURCE,
  matchesPattern,
  rulePatterns,
} from '@flash/core';
import { describe, expect, it } from 'vitest';
import { surveyResponse } from '../../support/events.js';

const onBus = (detailType: string, detail: unknown, source = INGEST_SOURCE) => ({
  source,
  'detail-type': detailType,
  detail,
});

describe('rule patterns', () => {
  it('send every canonical entity event to the aggregator', () => {
    expect(matchesPattern(rulePatterns.aggregate, onBus('entity.invoice', {}))).toBe(true);
    expect(matchesPattern(rulePatterns.aggregate, onBus('entity.survey_response', {}))).toBe(true);
    expect(matchesPattern(rulePatterns.aggregate, onBus('Detractor Detected', {}))).toBe(false);
    expect(matchesPattern(rulePatterns.aggregate, onBus('entity.invoice', {}, 'someone.else'))).toBe(false);
  });

  it.each([
    [0, true],
    [6, true],
    [7, false],
    [10, false],
  ])('send an applied survey response scored %i to the alert function: %s', (score, alerted) => {
    expect(
      matchesPattern(rulePatterns.detractorAlert, onBus(ALERT_RAISED, surveyResponse('R', 1, score), AGGREGATE_SOURCE)),
    ).toBe(alerted);
  });

  it('do not alert on a deleted response', () => {
    const deleted = surveyResponse('R', 2, 3, undefined, { deleted: true });
    expect(matchesPattern(rulePatterns.detractorAlert, onBus(ALERT_RAISED, deleted, AGGREGATE_SOURCE))).toBe(false);
  });

  it('do not alert on an ingested response: only the aggregator knows whether it applied', () => {
    const ingested = onBus('entity.survey_response', surveyResponse('R', 1, 3));
    expect(matchesPattern(rulePatterns.detractorAlert, ingested)).toBe(false);
    expect(
      matchesPattern(rulePatterns.aggregate, onBus(ALERT_RAISED, surveyResponse('R', 1, 3), AGGREGATE_SOURCE)),
    ).toBe(false);
  });

  it("send the alert function's publication to its Slack step", () => {
    expect(matchesPattern(rulePatterns.slackAlert, onBus(DETRACTOR_DETECTED, { key: 'k' }, ALERT_SOURCE))).toBe(true);
    expect(matchesPattern(rulePatterns.slackAlert, onBus(ALERT_RAISED, { key: 'k' }, AGGREGATE_SOURCE))).toBe(false);
  });
});

describe('pattern matching', () => {
  it('supports exists, anything-but, suffix and numeric ranges as EventBridge does', () => {
    const event = { detail: { a: 'invoice.paid', n: 5, tags: ['x', 'y'] } };
    expect(matchesPattern({ detail: { a: [{ suffix: '.paid' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { a: [{ exists: false }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { a: [{ 'anything-but': ['invoice.paid'] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { n: [{ numeric: ['>', 4, '<=', 5] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { n: [{ numeric: ['>', 5] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { tags: ['y'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { n: ['5'] } }, event)).toBe(false);
  });
});
