import 'reflect-metadata';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOrbitSchema } from '../../src/graphql/schema.js';
import { parseWithinLimits } from '../../src/shared/document-limits.js';
import { checkOperation } from '../../src/shared/limits.js';

const LIMITS = {
  queryBytes: 102400,
  tokens: 3000,
  fields: 500,
  sameName: 20,
  depth: 10,
  aliases: 15,
  directives: 50,
  cost: 5000,
};
let schema: Awaited<ReturnType<typeof buildOrbitSchema>>;
beforeAll(async () => {
  schema = await buildOrbitSchema();
});

const cost = (query: string, variables: Record<string, unknown> = {}, max = 1) => {
  const document = parse(query);
  const operation = document.definitions[0] as never;
  try {
    checkOperation(schema, document, operation, variables, { ...LIMITS, cost: max });
    return 'within';
  } catch (error) {
    return /costs (\d+)/.exec((error as Error).message)?.[1] ?? (error as Error).message;
  }
};

describe('the cost count', () => {
  it('counts 1 a field, times first under a connection (20 if absent), times 5 under other lists', () => {
    expect(cost('{ me { id } }')).toBe('2');
    // tasks + first × (edges + node + its fields)
    expect(cost('{ tasks(first: 10) { edges { node { id title } } } }')).toBe(String(1 + 10 * (1 + 1 + 2)));
    expect(cost('{ tasks { edges { node { id } } } }')).toBe(String(1 + 20 * (1 + 1 + 1)));
    expect(cost('query Q($n: Int) { tasks(first: $n) { edges { node { id } } } }', { n: 3 })).toBe(String(1 + 3 * 3));
    expect(cost('{ taskLists { id } }')).toBe(String(1 + 5 * 1));
  });

  it('costs introspection by its fields only: the schema is not data', () => {
    expect(Number(cost('{ __schema { types { name fields { name } } } }'))).toBeLessThan(10);
  });
});

describe('the document limits', () => {
  const refused = (text: string, limit: string, limits = LIMITS) => {
    try {
      parseWithinLimits(text, limits);
      return 'admitted';
    } catch (error) {
      return (error as { extensions?: { limit?: string } }).extensions?.limit === limit
        ? limit
        : (error as Error).message;
    }
  };

  it('measures fragments once, however often they are spread', () => {
    const chain = Array.from({ length: 4 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(
      ' ',
    );
    expect(refused(`{ ...F0 } ${chain} fragment F4 on Query { __typename }`, 'sameName')).toBe('admitted');
    expect(
      refused(`{ ...F0 } ${chain} fragment F4 on Query { __typename }`, 'sameName', { ...LIMITS, sameName: 15 }),
    ).toBe('sameName');
  });

  it('counts depth, aliases, directives, fields and tokens', () => {
    expect(refused('{ a { b { c } } }', 'depth', { ...LIMITS, depth: 2 })).toBe('depth');
    expect(refused('{ x: a y: a }', 'aliases', { ...LIMITS, aliases: 1 })).toBe('aliases');
    expect(refused('{ a @include(if: true) b @skip(if: false) }', 'directives', { ...LIMITS, directives: 1 })).toBe(
      'directives',
    );
    expect(refused('{ a b c d }', 'fields', { ...LIMITS, fields: 3 })).toBe('fields');
    expect(refused('{ a b c d }', 'tokens', { ...LIMITS, tokens: 5 })).toBe('tokens');
    expect(refused('{ a b c d }', 'none')).toBe('admitted');
  });
});
