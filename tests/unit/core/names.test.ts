import { customerNameOf, labelMember, ownerNamesOf, stageLabelOf, stageLabelsSchema } from '@flash/core';
import { describe, expect, it } from 'vitest';

describe('names beside ids', () => {
  it('maps owner ids to users: ownerIds, else the user id; an id two users claim goes to the first user id', () => {
    const owners = ownerNamesOf([
      ['zoe', { name: 'Zoe', profileId: 'sales', ownerIds: ['12', 'hs-7'] }],
      ['ann', { name: 'Ann', profileId: 'sales', ownerIds: ['12'] }],
      ['bob', { name: 'Bob', profileId: 'sales' }],
    ]);
    expect(Object.fromEntries(owners)).toEqual({
      '12': { userId: 'ann', name: 'Ann' },
      'hs-7': { userId: 'zoe', name: 'Zoe' },
      bob: { userId: 'bob', name: 'Bob' },
    });
  });

  it('reads the current name from a customer rollup, whatever characters it holds', () => {
    expect(customerNameOf({ internal: 0, [labelMember('name', 'Birk & Co | 50% = ok')]: 1 })).toBe(
      'Birk & Co | 50% = ok',
    );
    // A name that returned to zero (renamed) is not the name; of two sources' names, the first in order.
    expect(customerNameOf({ [labelMember('name', 'Old')]: 0, [labelMember('name', 'New')]: 1 })).toBe('New');
    expect(customerNameOf({ [labelMember('name', 'Zeta')]: 1, [labelMember('name', 'Alpha')]: 1 })).toBe('Alpha');
    expect(customerNameOf({ 'segment=Gold': 1 })).toBeNull();
  });

  it('labels a stage as configured for its source, else as learnt, else not at all', () => {
    const configured = new Map([['pipedrive', { '4': 'Negotiation' }]]);
    const learnt = new Map([
      ['pipedrive#4', 'Stage four'],
      ['pipedrive#5', 'Stage five'],
    ]);
    expect(stageLabelOf('pipedrive', '4', configured, learnt)).toBe('Negotiation');
    expect(stageLabelOf('pipedrive', '5', configured, learnt)).toBe('Stage five');
    // HubSpot's stage 4 is another stage than Pipedrive's.
    expect(stageLabelOf('hubspot', '4', configured, learnt)).toBeNull();
    expect(stageLabelOf('pipedrive', null, configured, learnt)).toBeNull();
  });

  it('takes stage labels of 1 to 256 characters, at most 1,000 per source', () => {
    expect(stageLabelsSchema().safeParse({ labels: { '4': 'Negotiation' } }).success).toBe(true);
    expect(stageLabelsSchema().safeParse({ labels: { '4': '' } }).success).toBe(false);
    expect(stageLabelsSchema().safeParse({ labels: { '4': 'x'.repeat(257) } }).success).toBe(false);
    const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [String(i), `Stage ${i}`]));
    expect(stageLabelsSchema().safeParse({ labels: many }).success).toBe(false);
  });
});
