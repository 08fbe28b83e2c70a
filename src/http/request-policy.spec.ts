import { inputShapeProblem } from './request-policy.js';

describe('inputShapeProblem', () => {
  const loneSurrogate = 'a\ud800b';

  it('passes what most requests carry: no body, an empty query, plain values', () => {
    expect(inputShapeProblem(undefined)).toBeUndefined();
    expect(inputShapeProblem(null)).toBeUndefined();
    expect(inputShapeProblem({})).toBeUndefined();
    expect(inputShapeProblem(Object.create(null))).toBeUndefined();
    expect(inputShapeProblem([])).toBeUndefined();
    expect(inputShapeProblem(42)).toBeUndefined();
    expect(inputShapeProblem('text with é and 😀')).toBeUndefined();
    expect(inputShapeProblem({ a: [1, { b: 'c' }] })).toBeUndefined();
  });

  it('finds a lone surrogate wherever it is: the whole value, a value, a key', () => {
    expect(inputShapeProblem(loneSurrogate)).toMatch(/lone UTF-16 surrogate/);
    expect(inputShapeProblem({ a: { b: [loneSurrogate] } })).toMatch(/lone UTF-16 surrogate/);
    expect(inputShapeProblem({ [loneSurrogate]: 1 })).toMatch(/lone UTF-16 surrogate/);
  });

  it('finds nesting past the limit and arrays past the limit', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(inputShapeProblem(deep)).toMatch(/nested deeper than/);
    expect(inputShapeProblem({ list: new Array(100_000).fill(0) })).toMatch(/array of more than/);
    expect(inputShapeProblem(new Array(100_000).fill(0))).toMatch(/array of more than/);
  });
});
