import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ws.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const CREATE = `mutation C($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name prefix scopes revoked createdAt lastUsedAt expiresAt } } }`;

describe('API keys', () => {
  it('are shown once, listed without the secret, usable as Bearer, and scoped', async () => {
    const a = await s.register();
    const read = (await s.ok(CREATE, { input: { name: 'ci read', scopes: ['READ'] } }, { token: a.token }))
      .createApiKey;
    expect(read.secret).toMatch(new RegExp(`^orb_${read.apiKey.prefix}_[A-Za-z0-9_-]{43}$`));
    expect(read.apiKey).toMatchObject({
      name: 'ci read',
      scopes: ['READ'],
      revoked: false,
      lastUsedAt: null,
      expiresAt: null,
    });
    const listed = (await s.ok(`{ apiKeys { id prefix } }`, {}, { token: a.token })).apiKeys;
    expect(listed).toEqual([{ id: read.apiKey.id, prefix: read.apiKey.prefix }]);
    // The secret part (base64url, which may itself hold '_' and '-') appears nowhere in the listing.
    expect(JSON.stringify(listed)).not.toContain(read.secret.slice('orb_'.length + 12 + 1));

    expect((await s.ok(`{ me { id } }`, {}, { token: read.secret })).me.id).toBe(a.userId);
    const denied = await s.fail(`mutation { updateProfile(input: { name: "x" }) { id } }`, {}, { token: read.secret });
    expect(denied.extensions?.code).toBe('FORBIDDEN');

    const write = (await s.ok(CREATE, { input: { name: 'agent', scopes: ['WRITE'] } }, { token: a.token }))
      .createApiKey;
    expect(
      (await s.ok(`mutation { updateProfile(input: { name: "Via key" }) { name } }`, {}, { token: write.secret }))
        .updateProfile.name,
    ).toBe('Via key');
    // Keys cannot manage keys, sessions or the password.
    for (const q of [`{ apiKeys { id } }`, `{ sessions { id } }`, `mutation { logoutAllSessions }`]) {
      expect((await s.fail(q, {}, { token: write.secret })).extensions?.code).toBe('FORBIDDEN');
    }
    const keys = (await s.ok(`{ apiKeys { id lastUsedAt } }`, {}, { token: a.token })).apiKeys;
    expect(keys.every((k: { lastUsedAt: string | null }) => k.lastUsedAt !== null)).toBe(true);
  });

  it('stop working when revoked or expired, or when altered', async () => {
    const a = await s.register();
    const b = await s.register();
    const key = (await s.ok(CREATE, { input: { name: 'k', scopes: ['READ', 'WRITE'] } }, { token: a.token }))
      .createApiKey;
    const altered = key.secret.slice(0, -2) + (key.secret.endsWith('AA') ? 'BB' : 'AA');
    expect((await s.fail(`{ me { id } }`, {}, { token: altered })).extensions?.code).toBe('UNAUTHENTICATED');
    const foreign = await s.fail(
      `mutation R($id: ID!) { revokeApiKey(id: $id) { id } }`,
      { id: key.apiKey.id },
      { token: b.token },
    );
    expect(foreign.extensions?.code).toBe('NOT_FOUND');
    const revoked = await s.ok(
      `mutation R($id: ID!) { revokeApiKey(id: $id) { revoked } }`,
      { id: key.apiKey.id },
      { token: a.token },
    );
    expect(revoked.revokeApiKey.revoked).toBe(true);
    expect((await s.fail(`{ me { id } }`, {}, { token: key.secret })).extensions?.code).toBe('UNAUTHENTICATED');

    const soon = new Date(Date.now() + 3000).toISOString();
    const short = (
      await s.ok(CREATE, { input: { name: 'short', scopes: ['READ'], expiresAt: soon } }, { token: a.token })
    ).createApiKey;
    expect((await s.ok(`{ me { id } }`, {}, { token: short.secret })).me.id).toBe(a.userId);
    // Refused from its expiry on (polled: waiting for a clock, not for an event).
    await waitFor(
      async () =>
        (await s.gql(`{ me { id } }`, {}, { token: short.secret })).errors?.[0]?.extensions?.code === 'UNAUTHENTICATED',
      'the key to expire',
      15_000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(soon) - 1000);
  });

  it('validates name, scopes and expiry', async () => {
    const a = await s.register();
    const e = await s.fail(
      CREATE,
      { input: { name: ' ', scopes: [], expiresAt: '2020-01-01T00:00:00Z' } },
      { token: a.token },
    );
    expect(e.extensions?.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(e.extensions?.fields as object).sort()).toEqual(['expiresAt', 'name', 'scopes']);
    expect((await s.ok(`{ apiKeys { id } }`, {}, { token: a.token })).apiKeys).toEqual([]);
  });
});
