import { readFile } from 'node:fs/promises';
import { profileSchema, userSchema } from '@flash/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { configSchemas } from '../../../packages/app/src/generated/config-schemas.js';
import { buildConfigSchemas, GENERATED, generatedModule } from '../../../scripts/build-schemas.js';

/**
 * The OpenAPI schemas of the configuration bodies (KPI profiles, users) are generated from the zod schemas that
 * validate them and committed, so the query function serves them without bundling zod.
 */

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validator = (name: keyof typeof configSchemas) => ajv.compile(configSchemas[name]);

const kpi = (fields: Record<string, unknown>) => ({ template: 'dealsCreated', target: 10, ...fields });
const profileBodies: Record<string, unknown> = {
  'every template': {
    name: 'Sales',
    kpis: [
      { template: 'openDealsPlanned', target: 5, days: 14, label: 'Planned' },
      { template: 'dealsCreated', target: 10 },
      { template: 'wonValue', target: 100000 },
      { template: 'hitRate', target: 40, months: 3 },
      { template: 'nps', target: 30 },
    ],
  },
  'no KPIs': { name: 'Empty', kpis: [] },
  'a field the API drops': { name: 'Sales', kpis: [], colour: 'blue' },
  'eleven KPIs': { name: 'Big', kpis: Array.from({ length: 11 }, () => kpi({})) },
  'an unknown template': { name: 'X', kpis: [kpi({ template: 'revenue' })] },
  'a field of another template, dropped too': { name: 'X', kpis: [kpi({ template: 'wonValue', days: 3 })] },
  'a hit rate over 100 %': { name: 'X', kpis: [kpi({ template: 'hitRate', target: 101 })] },
  'a negative target': { name: 'X', kpis: [kpi({ target: -1 })] },
  'a target past 2^53 - 1': { name: 'X', kpis: [kpi({ target: 2 ** 53 })] },
  'a text target': { name: 'X', kpis: [kpi({ target: 'high' })] },
  'zero days': { name: 'X', kpis: [kpi({ template: 'openDealsPlanned', days: 0 })] },
  'a fraction of a month': { name: 'X', kpis: [kpi({ template: 'nps', months: 1.5 })] },
  'an empty label': { name: 'X', kpis: [kpi({ label: '' })] },
  'an empty name': { name: '', kpis: [] },
  'no name': { kpis: [] },
};
const userBodies: Record<string, unknown> = {
  'a user': { name: 'Ann', profileId: 'sales', ownerIds: ['12', 'hs-7'] },
  'a user without owner ids': { name: 'Ann', profileId: 'sales' },
  'no owner ids': { name: 'Ann', profileId: 'sales', ownerIds: [] },
  'eleven owner ids': { name: 'Ann', profileId: 'sales', ownerIds: Array.from({ length: 11 }, (_, i) => `${i}`) },
  'a profile id over 256 characters': { name: 'Ann', profileId: 'p'.repeat(257) },
  'no profile': { name: 'Ann' },
};

describe('the configuration schemas of the OpenAPI document', () => {
  it('are generated from the zod schemas and committed: after editing kpis.ts, run `npm run build:schemas`', async () => {
    const built = buildConfigSchemas();
    const committed = (await readFile(GENERATED, 'utf8')).replace(/\r\n/g, '\n');
    expect(committed, 'packages/app/src/generated/config-schemas.ts is stale: run npm run build:schemas').toBe(
      generatedModule(built),
    );
    expect(configSchemas).toEqual(built);
  });

  it('take the profile bodies the API takes, and refuse those it refuses', () => {
    const validate = validator('ProfileBody');
    const verdicts = Object.entries(profileBodies).map(([name, body]) => {
      const accepted = profileSchema().safeParse(body).success;
      expect(validate(body), name).toBe(accepted);
      return accepted;
    });
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });

  it('take the user bodies the API takes, and refuse those it refuses', () => {
    const validate = validator('UserBody');
    const verdicts = Object.entries(userBodies).map(([name, body]) => {
      const accepted = userSchema().safeParse(body).success;
      expect(validate(body), name).toBe(accepted);
      return accepted;
    });
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });

  it('describe exactly what the API answers: the stored document, defaults filled in, with its id', () => {
    const profile = validator('Profile');
    const stored = { id: 'sales', ...profileSchema().parse(profileBodies['every template']) };
    expect(profile(stored), ajv.errorsText(profile.errors)).toBe(true);
    expect(profile({ ...stored, id: undefined })).toBe(false);
    expect(profile({ ...stored, colour: 'blue' })).toBe(false);
    expect(profile({ ...stored, kpis: [{ template: 'hitRate', target: 40 }] }), 'months is filled in').toBe(false);

    const user = validator('User');
    const parsed = userSchema().parse(userBodies['a user without owner ids']);
    expect(user({ id: 'ann', ...parsed, ownerIds: parsed.ownerIds ?? ['ann'] }), ajv.errorsText(user.errors)).toBe(
      true,
    );
    expect(user({ id: 'ann', ...parsed }), 'ownerIds is always answered').toBe(false);
    expect(user({ id: 'a b', ...parsed, ownerIds: ['ann'] }), 'an id as paths take them').toBe(false);
  });
});
