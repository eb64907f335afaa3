import { builtOnce } from '@flash/core';
import { describe, expect, it } from 'vitest';

describe('builtOnce', () => {
  it('builds nothing until first asked, then keeps the first value', () => {
    let builds = 0;
    const schema = builtOnce(() => ({ build: ++builds }));
    expect(builds).toBe(0);
    const first = schema();
    expect(schema()).toBe(first);
    expect(builds).toBe(1);
  });

  it('keeps an undefined value too, and builds again after a build that threw', () => {
    let builds = 0;
    const nothing = builtOnce(() => {
      builds++;
      return undefined;
    });
    nothing();
    nothing();
    expect(builds).toBe(1);

    let attempts = 0;
    const flaky = builtOnce(() => {
      if (++attempts === 1) throw new Error('first build fails');
      return attempts;
    });
    expect(() => flaky()).toThrow('first build fails');
    expect(flaky()).toBe(2);
    expect(flaky()).toBe(2);
  });
});
