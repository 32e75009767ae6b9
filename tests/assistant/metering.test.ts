import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ TIER_LIMIT_FREE: '1000' });
});
afterAll(() => closeAll(s));

const RESERVE = `mutation R($n: Int!) { reserveUsage(estimatedTokens: $n) { id estimatedTokens expiresAt } }`;
const RECORD = `mutation U($r: ID, $p: Int!, $c: Int!) { recordUsage(input: { model: "agent-model", promptTokens: $p, completionTokens: $c, reservationId: $r }) { tokensUsed requestCount remainingTokens } }`;
const USAGE = `{ usage { tokensUsed requestCount remainingTokens } }`;
const reserve = (who: Account | string, n: number) =>
  s.gql(RESERVE, { n }, { token: typeof who === 'string' ? who : who.token });
const held = async (userId: string) =>
  Number(
    (
      await execRows<{ n: number }>(
        s.server.app.db,
        sql`select coalesce(sum(reserved_tokens), 0)::int as n from monthly_usage where user_id = ${userId}`,
      )
    )[0]!.n,
  );

describe('metering for external agents', () => {
  it('reserves before a call and settles with what was used, once', async () => {
    const a = await s.register();
    const r = (await reserve(a, 600)).data.reserveUsage;
    expect(r.estimatedTokens).toBe(600);
    expect(Date.parse(r.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(await held(a.userId)).toBe(600);
    // 600 held of 1,000: a second reservation still starts (under the limit); at 1,000 the next does not.
    expect((await reserve(a, 400)).errors).toBeUndefined();
    expect((await reserve(a, 10)).errors?.[0]?.extensions?.code).toBe('USAGE_LIMIT_EXCEEDED');
    expect((await s.ok(RECORD, { r: r.id, p: 100, c: 50 }, { token: a.token })).recordUsage).toEqual({
      tokensUsed: 150,
      requestCount: 1,
      remainingTokens: 850,
    });
    expect(await held(a.userId)).toBe(400);
    const again = await s.fail(RECORD, { r: r.id, p: 100, c: 50 }, { token: a.token });
    expect(again.extensions?.code).toBe('CONFLICT');
    // Nothing was recorded twice.
    expect((await s.ok(USAGE, {}, { token: a.token })).usage).toEqual({
      tokensUsed: 150,
      requestCount: 1,
      remainingTokens: 850,
    });
  });

  it('lets a reservation lapse after 10 minutes; recording it later still counts what was used', async () => {
    const a = await s.register();
    const r = (await reserve(a, 1000)).data.reserveUsage;
    expect((await reserve(a, 200)).errors?.[0]?.extensions?.code).toBe('USAGE_LIMIT_EXCEEDED');
    await execRows(
      s.server.app.db,
      sql`update usage_reservations set expires_at = now() - interval '1 second' where id = ${r.id}`,
    );
    // The lapsed tokens are given back before the next reservation is judged.
    expect((await reserve(a, 200)).errors).toBeUndefined();
    expect(await held(a.userId)).toBe(200);
    expect((await s.ok(RECORD, { r: r.id, p: 40, c: 2 }, { token: a.token })).recordUsage.tokensUsed).toBe(42);
    expect(await held(a.userId)).toBe(200);
  });

  it('gives lapsed reservations back in the hourly sweep too', async () => {
    const { sweep } = await import('../../src/ops/maintenance.js');
    const a = await s.register();
    const r = (await reserve(a, 700)).data.reserveUsage;
    await execRows(
      s.server.app.db,
      sql`update usage_reservations set expires_at = now() - interval '1 second' where id = ${r.id}`,
    );
    expect(await held(a.userId)).toBe(700);
    await sweep(s.server.app);
    expect(await held(a.userId)).toBe(0);
  });

  it('keeps reservations to their owner, refuses bad sizes and READ keys, and still records without one', async () => {
    const [a, b] = [await s.register(), await s.register()];
    const r = (await reserve(a, 10)).data.reserveUsage;
    expect((await s.fail(RECORD, { r: r.id, p: 1, c: 1 }, { token: b.token })).extensions?.code).toBe('NOT_FOUND');
    expect((await s.fail(RECORD, { r: 'not-an-id', p: 1, c: 1 }, { token: b.token })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    // The failed settle recorded nothing for b.
    expect((await s.ok(USAGE, {}, { token: b.token })).usage.requestCount).toBe(0);
    for (const n of [0, -5, 10_000_001]) {
      const e = (await reserve(a, n)).errors?.[0];
      expect(e?.extensions?.code, String(n)).toBe('BAD_USER_INPUT');
      expect(e?.extensions?.fields).toHaveProperty('estimatedTokens');
    }
    const key = async (scopes: string[]) =>
      (
        await s.ok(
          `mutation K($s: [ApiKeyScope!]!) { createApiKey(input: { name: "agent", scopes: $s }) { secret } }`,
          { s: scopes },
          { token: a.token },
        )
      ).createApiKey.secret;
    expect((await reserve(await key(['READ']), 5)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await reserve(await key(['WRITE']), 5)).errors).toBeUndefined();
    expect((await s.ok(RECORD, { r: null, p: 3, c: 4 }, { token: a.token })).recordUsage.requestCount).toBe(1);
  });
});
