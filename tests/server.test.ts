import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/shared/config.js';
import { type TestServer, startServer } from './helpers/server.js';
import { closeAll } from './helpers/teardown.js';

let dev: TestServer;
let prod: TestServer;
beforeAll(async () => {
  [dev, prod] = await Promise.all([startServer({ NODE_ENV: 'development' }), startServer({ NODE_ENV: 'production' })]);
});
afterAll(async () => {
  await closeAll(dev);
  await closeAll(prod);
});

describe('HTTP', () => {
  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${dev.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${dev.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'up' });
    expect(health.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
  });

  it('serves Sandbox in development only', async () => {
    const page = await fetch(`${dev.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/sandbox/i);
    const none = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await none.text()).not.toMatch(/embeddable-sandbox/i);
  });

  it('refuses batched requests, CSRF-prone requests and bodies over 1 MB', async () => {
    const batch = await fetch(`${dev.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(batch.status).toBe(400);
    const simple = await fetch(`${dev.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(simple.status).toBe(400);
    const big = await fetch(`${dev.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(1024 * 1024) } }),
    });
    expect(big.status).toBe(413);
  });

  it('maps bad queries to BAD_USER_INPUT', async () => {
    expect((await dev.fail(`{ nope }`)).extensions?.code).toBe('BAD_USER_INPUT');
    expect((await dev.fail(`{ me { `)).extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('production', () => {
  it('turns off introspection and leaks no stack, SQL or message from unexpected errors', async () => {
    expect((await prod.fail(`{ __schema { types { name } } }`)).extensions?.code).toBe('BAD_USER_INPUT');
    expect((await dev.ok(`{ __schema { queryType { name } } }`)).__schema.queryType.name).toBe('Query');
    const known = await prod.fail(`{ me { id } }`);
    expect(known.extensions).toEqual({ code: 'UNAUTHENTICATED' });

    const a = await prod.register();
    // Break the database under the running server: the next query fails inside a resolver.
    await prod.server.app.database.close();
    const res = await prod.gql(`mutation { updateProfile(input: { name: "x" }) { id } }`, {}, { token: a.token });
    const error = res.errors?.[0];
    expect(error?.message).toBe('Internal server error');
    expect(Object.keys(error?.extensions ?? {}).sort()).toEqual(['code', 'requestId']);
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(res.errors)).not.toMatch(/select |update "|stacktrace|pglite|closed/i);
    const ready = await fetch(`${prod.url}/readyz`);
    expect(ready.status).toBe(503);
  });
});

describe('configuration', () => {
  it('lists every bad variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', NODE_ENV: 'staging', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'NODE_ENV', 'DATABASE_URL', 'JWT_SECRET']) expect(message).toContain(name);
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: 'memory://' })).toThrow(
      /JWT_SECRET: required in production/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: 'memory://', JWT_SECRET: 'x'.repeat(40) })).toThrow(
      /SECRETS_KEY: required in production/,
    );
    expect(() => loadConfig({ DATA_DIR: 'memory://', SECRETS_KEY: 'too-short' })).toThrow(
      /SECRETS_KEY: must be 32 bytes/,
    );
  });
});

describe('tools for people using the API', () => {
  it('serves GraphiQL at /graphiql in development, every asset from this server', async () => {
    const res = await fetch(`${dev.url}/graphiql`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/graphiql\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.sort()).toEqual([
      '/graphiql/assets/graphiql.css',
      '/graphiql/assets/graphiql.js',
      '/graphiql/assets/graphql-ws.js',
      '/graphiql/assets/react-dom.js',
      '/graphiql/assets/react.js',
    ]);
    // Nothing from another origin: it works offline.
    expect(html).not.toMatch(/(src|href)="https?:/);
    for (const asset of assets) {
      const file = await fetch(`${dev.url}${asset}`);
      expect(file.status, asset).toBe(200);
      expect((await file.arrayBuffer()).byteLength, asset).toBeGreaterThan(1000);
    }
    expect((await fetch(`${dev.url}/graphiql/assets/secret.js`)).status).toBe(404);
    expect((await fetch(`${prod.url}/graphiql`)).status).toBe(404);
  });

  it('links GraphiQL and Apollo Sandbox from the development landing page', async () => {
    const res = await fetch(`${dev.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(html).toContain('href="/graphiql"');
    expect(html).toContain('studio.apollographql.com/sandbox');
  });

  it('lets web apps on localhost call the API in development, and no foreign origin', async () => {
    const preflight = (server: TestServer, origin: string) =>
      fetch(`${server.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000']) {
      expect((await preflight(dev, origin)).headers.get('access-control-allow-origin'), origin).toBe(origin);
    }
    expect((await preflight(dev, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(prod, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('describes its custom scalars with @specifiedBy', async () => {
    const data = await dev.ok(`{ __schema { types { name specifiedByURL } } }`);
    const urls = Object.fromEntries(
      data.__schema.types
        .filter((t: any) => ['DateTime', 'Date', 'JSON'].includes(t.name))
        .map((t: any) => [t.name, t.specifiedByURL]),
    );
    expect(urls).toEqual({
      DateTime: 'https://scalars.graphql.org/chillicream/date-time.html',
      Date: 'https://scalars.graphql.org/chillicream/date.html',
      JSON: 'https://www.rfc-editor.org/rfc/rfc8259',
    });
  });
});
