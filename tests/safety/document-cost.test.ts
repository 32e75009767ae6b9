import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileDocuments } from '../../bench/hostile-documents.js';
import { REPORTED_ATTACKS } from '../../bench/hostile.js';
import { loadConfig } from '../../src/shared/config.js';
import { operationLimits } from '../../src/shared/limits.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { wsClient } from '../helpers/ws.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

async function refused(query: string, limit: string) {
  const res = await s.gql(query);
  expect(res.status, limit).toBe(400);
  expect(res.data).toBeUndefined();
  expect(res.errors?.[0]?.extensions, limit).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit });
}

describe('documents refused before validation', () => {
  it('refuses what the report sent: 600 aliases, 85 KB of repeated fields, 5,000 fragment spreads', async () => {
    await refused(REPORTED_ATTACKS.aliases600!, 'tokens');
    await refused(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, 'aliases');
    await refused(REPORTED_ATTACKS.bytes85k!, 'tokens');
    await refused(REPORTED_ATTACKS.spreads5000!, 'tokens');
  });

  it('refuses each kind of growth: tokens, fields once fragments are expanded, repeats of one name', async () => {
    await refused(`{ ${'__typename '.repeat(3001)}}`, 'tokens');
    await refused(`{ ${'a'.repeat(10)}${'{ a '.repeat(2000)}${'}'.repeat(2000)} }`, 'tokens');
    const wide = Array.from(
      { length: 10 },
      (_, i) => `fragment F${i} on Query { tierLimits { tier } me { id } ...F${i + 1} ...F${i + 1} }`,
    ).join(' ');
    await refused(`{ ...F0 } ${wide} fragment F10 on Query { __typename }`, 'sameName');
    // Twenty copies of a 29-field subtree: no name repeated more than 20 times, 580 fields in all.
    const subtree =
      'taskLists { id name color position createdAt updatedAt owner { id email name username timezone role tier } tasks { totalCount edges { cursor node { id title notes status priority dueAt position createdAt updatedAt } } } }';
    const fields = `{ ${subtree.repeat(20)} }`;
    await refused(fields, 'fields');
    await refused(`{ ${'me { id } '.repeat(21)}}`, 'sameName');
  });

  it('lets the heaviest documents the limits admit through to the usual answers', async () => {
    const documents = hostileDocuments(operationLimits(loadConfig({ NODE_ENV: 'test' })));
    for (const [name, text] of Object.entries(documents)) {
      const res = await s.gql(text);
      // Refused, if at all, by validation or by the cost of running it, which the limits have bounded.
      expect(['tokens', 'fields', 'sameName', 'aliases', 'directives', 'depth', 'queryBytes'], name).not.toContain(
        res.errors?.[0]?.extensions?.limit,
      );
      expect(res.status, name).toBeLessThan(500);
    }
    // The standard introspection query of GraphiQL and codegen fits the limits.
    const { getIntrospectionQuery } = await import('graphql');
    const intro = await s.gql(getIntrospectionQuery());
    expect(intro.errors, JSON.stringify(intro.errors)).toBeUndefined();
    expect(intro.data.__schema.queryType.name).toBe('Query');
  });

  it('applies the same limits to subscriptions over WebSocket', async () => {
    const a = await s.register();
    const ws = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    try {
      const errorsOf = async (query: string) => {
        const sub = ws.subscribe(query);
        await sub.completed;
        return sub.errors.flat() as Array<{ extensions?: Record<string, unknown> }>;
      };
      const repeated = await errorsOf(`subscription { ${'notificationAdded { id } '.repeat(21)}}`);
      expect(repeated[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'sameName' });
      const tokens = await errorsOf(`subscription { notificationAdded { ${'id '.repeat(3001)}} }`);
      expect(tokens[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
    } finally {
      await ws.dispose();
    }
  });
});
