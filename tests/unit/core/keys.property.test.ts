import {
  fields,
  keyPart,
  keys,
  LIMITS,
  labelMember,
  parseLabelMember,
  parseStageMember,
  stageMember,
} from '@flash/core';
import { itemKeys } from '@flash/store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Strings made of what gives keys their structure, plus Unicode that looks alike (NFC vs NFD). */
const adversarial = fc
  .array(fc.constantFrom('|', '#', '=', ':', '/', '%', '%7C', '\u0000', '\n', 'U7', 'é', 'e\u0301', '😀', 'a', ' '), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => parts.join(''))
  .filter((value) => fields().id.safeParse(value).success);
const value = fc.oneof(adversarial, fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }));
const distinctPair = fc.tuple(value, value).filter(([a, b]) => a !== b);

/** Every key an id, owner or label can reach, as the DynamoDB item it is stored under. */
const itemsOf = (v: string) => {
  const aggregate = (key: string) => JSON.stringify(itemKeys.aggregate(key));
  return {
    ownerPipeline: aggregate(keys.pipeline('2026-11', v)),
    ownerOpenPipeline: aggregate(keys.openPipeline(v)),
    byCustomer: aggregate(keys.byCustomer('2026-11', v)),
    customerFacts: aggregate(keys.customerFacts(v)),
    segmentLabel: aggregate(keys.segmentLabel('2026-11', 'segment', v)),
    pipelineLabel: aggregate(keys.pipelineLabel('2026-11', v, 'source', 'web')),
    pipelineLabelValue: aggregate(keys.pipelineLabel('2026-11', 'U1', 'source', v)),
    openStage: aggregate(keys.openStage(v, 'pipedrive', 'proposal')),
    openStageValue: aggregate(keys.openStage('U1', 'pipedrive', v)),
    customerRollup: JSON.stringify(itemKeys.node(keys.customerRollup(v))),
    projectRollup: JSON.stringify(itemKeys.node(keys.projectRollup(v))),
    invoiceRollup: JSON.stringify(itemKeys.node(keys.invoiceRollup('stripe', v))),
  };
};

describe('keys of outside values', () => {
  it('never give two distinct values the same item', () => {
    fc.assert(
      fc.property(distinctPair, ([a, b]) => {
        const ofA = itemsOf(a);
        const ofB = itemsOf(b);
        for (const name of Object.keys(ofA) as (keyof typeof ofA)[]) expect(ofA[name], name).not.toBe(ofB[name]);
      }),
      { numRuns: 2000 },
    );
  });

  it('keep an owner with key syntax out of another owner’s figures', () => {
    expect(itemKeys.aggregate(keys.pipeline('2026-11', 'U7|#'))).not.toEqual(
      itemKeys.aggregate(keys.pipeline('2026-11', 'U7')),
    );
    expect(itemKeys.aggregate(keys.openPipeline('U7|#'))).not.toEqual(itemKeys.aggregate(keys.openPipeline('U7')));
  });

  it('give every label back as it was', () => {
    fc.assert(
      fc.property(value, (label) => {
        expect(parseLabelMember(labelMember('segment', label))).toEqual({ dimension: 'segment', label });
        expect(parseStageMember(stageMember('hubspot', label))).toEqual({ source: 'hubspot', stage: label });
      }),
    );
  });

  it('tell one source’s stage from another’s with the same id', () => {
    expect(keys.openStage(null, 'pipedrive', '4')).not.toBe(keys.openStage(null, 'hubspot', '4'));
    expect(parseStageMember('stage=proposal')).toBeUndefined();
  });

  it('stay within DynamoDB’s key sizes for the longest id the schema admits', () => {
    const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
    for (const longest of ['|'.repeat(LIMITS.id), '\u20ac'.repeat(LIMITS.id), '😀'.repeat(LIMITS.id / 2)]) {
      expect(fields().id.safeParse(longest).success).toBe(true);
      expect(bytes(keyPart(longest))).toBeLessThanOrEqual(800);
      const items = [
        itemKeys.aggregate(keys.byCustomer('2026-11', longest)),
        itemKeys.node(keys.customerRollup(longest)),
        itemKeys.aggregate(keys.pipelineLabel('2026-11', longest, 'reason', longest)),
      ];
      for (const { pk, sk } of items) {
        expect(bytes(pk)).toBeLessThanOrEqual(2048);
        expect(bytes(sk)).toBeLessThanOrEqual(1024);
      }
    }
  });
});
