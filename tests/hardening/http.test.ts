import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

const APP = 'https://app.example.com';
const TRUSTED = 'query Me { me { id } }';
let prod: TestServer;
let trusted: TestServer;
let dev: TestServer;
beforeAll(async () => {
  const manifest = join(tmpdir(), `orbit-manifest-${Date.now()}.json`);
  writeFileSync(
    manifest,
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [
        { id: createHash('sha256').update(TRUSTED).digest('hex'), name: 'Me', type: 'query', body: TRUSTED },
      ],
    }),
  );
  [prod, trusted, dev] = await Promise.all([
    startServer({ NODE_ENV: 'production', CORS_ORIGINS: `${APP}, https://admin.example.com`, METRICS: 'true' }),
    startServer({ PERSISTED_QUERIES: 'only', PERSISTED_QUERIES_MANIFEST: manifest }),
    startServer({ NODE_ENV: 'development' }),
  ]);
});
afterAll(async () => {
  await closeAll(prod);
  await closeAll(trusted);
  await closeAll(dev);
});

const post = (s: TestServer, headers: Record<string, string>, body: unknown = { query: '{ __typename }' }) =>
  fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('HTTP hardening', () => {
  it('sends security headers', async () => {
    const res = await post(prod, {});
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('allows CORS with credentials only for listed origins', async () => {
    const ok = await post(prod, { origin: APP });
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await post(prod, { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${prod.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('refuses WebSocket upgrades from other origins', async () => {
    const code = (origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${prod.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
          headers: origin ? { origin } : {},
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => {});
      });
    expect(await code('https://evil.example')).toBe(403);
    expect(await code(APP)).toBe(101);
    expect(await code()).toBe(101);
  });

  it('hides field suggestions outside development', async () => {
    expect((await prod.fail(`{ mee { id } }`)).message).not.toMatch(/Did you mean/);
    expect((await dev.fail(`{ mee { id } }`)).message).toMatch(/Did you mean/);
  });

  it('PERSISTED_QUERIES=only runs manifest operations (by body or by hash) and refuses the rest', async () => {
    const a = await trusted.register().catch(() => null);
    expect(a).toBeNull();
    const byBody = await post(trusted, {}, { query: TRUSTED });
    expect(((await byBody.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const hash = createHash('sha256').update(TRUSTED).digest('hex');
    const byHash = await post(trusted, {}, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(((await byHash.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const other = await post(trusted, {}, { query: '{ __typename }' });
    expect(other.status).toBe(400);
    expect(((await other.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('exposes Prometheus metrics when METRICS=true', async () => {
    await post(prod, {}, { query: 'query Probe { __typename }', operationName: 'Probe' });
    const text = await (await fetch(`${prod.url}/metrics`)).text();
    expect(text).toMatch(/orbit_graphql_operations_total\{operation="Probe",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/orbit_graphql_operation_duration_seconds_bucket\{le="0.005",operation="Probe"\}/);
    expect(text).toMatch(/orbit_graphql_operation_sql_statements_count\{operation="Probe"\} [1-9]/);
    expect(text).toContain('orbit_websocket_connections 0');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect((await fetch(`${dev.url}/metrics`)).status).toBe(404);
  });

  it('reports the pool: size, and on the PostgreSQL server its open and busy connections', async () => {
    if (prod.server.app.database.kind !== 'postgres') {
      expect(await (await fetch(`${prod.url}/metrics`)).text()).toContain('orbit_db_pool_max 1');
      return;
    }
    // One of the replica's connections stays busy while the metrics are read.
    // drizzle's queries run when awaited: then() starts this one now.
    // Read the metrics while the statement runs (again, if a busy machine let it finish first).
    let text = '';
    for (let attempt = 0; attempt < 5 && !/^orbit_db_pool_busy [1-9]/m.test(text); attempt++) {
      const state = { done: false };
      const sleeping = prod.server.app.db.execute(sql`select pg_sleep(1)`).then(() => void (state.done = true));
      do text = await (await fetch(`${prod.url}/metrics`)).text();
      while (!state.done && !/^orbit_db_pool_busy [1-9]/m.test(text));
      await sleeping;
    }
    expect(text).toContain('orbit_db_pool_max 10');
    expect(Number(/^orbit_db_pool_open (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^orbit_db_pool_busy (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
  });
});
