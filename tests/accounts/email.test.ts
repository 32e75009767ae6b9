import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueEmail } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let strict: TestServer;
beforeAll(async () => {
  [s, strict] = await Promise.all([
    startServer(),
    startServer({ REQUIRE_EMAIL_VERIFICATION: 'true', EMAIL_SEND_LIMIT: '3' }),
  ]);
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(strict);
});

const tokenIn = (text: string) => /Token: (\S+)/.exec(text)![1];
const mailsTo = (server: TestServer, to: string, kind: string) =>
  server.outbox().filter((m) => m.to === to && m.kind === kind);
const VERIFY = `mutation V($t: String!) { verifyEmail(token: $t) { id emailVerified } }`;
const RESET = `mutation R($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }`;
const LOGIN = `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`;

describe('email verification', () => {
  it('sends a verification email on register; the token verifies once', async () => {
    const a = await s.register();
    const [mail] = mailsTo(s, a.email, 'verify-email');
    expect(mail).toMatchObject({ kind: 'verify-email', to: a.email });
    expect(mail!.text).toContain('http://localhost:4000/verify-email?token=');
    const token = tokenIn(mail!.text);
    expect((await s.ok(VERIFY, { t: token })).verifyEmail).toEqual({ id: a.userId, emailVerified: true });
    const again = await s.fail(VERIFY, { t: token });
    expect(again.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await s.fail(VERIFY, { t: 'made-up' })).extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('resendVerificationEmail answers true for any address and replaces the earlier token', async () => {
    const a = await s.register();
    const RESEND = `mutation R($e: String!) { resendVerificationEmail(email: $e) }`;
    expect((await s.ok(RESEND, { e: uniqueEmail('ghost') })).resendVerificationEmail).toBe(true);
    expect((await s.ok(RESEND, { e: a.email })).resendVerificationEmail).toBe(true);
    const [first, second] = mailsTo(s, a.email, 'verify-email');
    expect((await s.fail(VERIFY, { t: tokenIn(first!.text) })).extensions?.code).toBe('BAD_USER_INPUT');
    await s.ok(VERIFY, { t: tokenIn(second!.text) });
  });

  it('with REQUIRE_EMAIL_VERIFICATION, unverified users get EMAIL_NOT_VERIFIED except on me and the email flows', async () => {
    const a = await strict.register();
    expect((await strict.ok(`{ me { emailVerified } }`, {}, { token: a.token })).me.emailVerified).toBe(false);
    const blocked = await strict.fail(`{ apiKeys { id } }`, {}, { token: a.token });
    expect(blocked.extensions?.code).toBe('EMAIL_NOT_VERIFIED');
    await strict.ok(VERIFY, { t: tokenIn(mailsTo(strict, a.email, 'verify-email')[0]!.text) });
    expect((await strict.ok(`{ apiKeys { id } }`, {}, { token: a.token })).apiKeys).toEqual([]);
  });

  it('limits emails per address, whether or not it has an account', async () => {
    const RESEND = `mutation R($e: String!) { resendVerificationEmail(email: $e) }`;
    const nobody = uniqueEmail('limit');
    for (let i = 0; i < 3; i++) await strict.ok(RESEND, { e: nobody });
    const limited = await strict.fail(RESEND, { e: nobody });
    expect(limited.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.extensions?.retryAfter).toBeGreaterThan(3500);
  });
});

describe('password reset', () => {
  it('resets with the emailed token, ends every session, and the token is single-use', async () => {
    const a = await s.register();
    const REQUEST = `mutation R($e: String!) { requestPasswordReset(email: $e) }`;
    expect((await s.ok(REQUEST, { e: uniqueEmail('ghost') })).requestPasswordReset).toBe(true);
    expect((await s.ok(REQUEST, { e: a.email.toUpperCase() })).requestPasswordReset).toBe(true);
    const [mail] = mailsTo(s, a.email, 'reset-password');
    expect(mail!.subject).toMatch(/reset/i);
    const token = tokenIn(mail!.text);
    const weak = await s.fail(RESET, { t: token, p: 'password1' });
    expect(weak.extensions?.fields).toEqual({ newPassword: 'Password is too common' });
    // The weak attempt lost nothing: the token still works.
    expect((await s.ok(RESET, { t: token, p: 'another-long-secret' })).resetPassword).toBe(true);
    expect((await s.fail(`{ me { id } }`, {}, { token: a.token })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.fail(RESET, { t: token, p: 'yet-another-secret' })).extensions?.code).toBe('BAD_USER_INPUT');
    expect((await s.fail(LOGIN, { i: a.email, p: PASSWORD })).extensions?.code).toBe('UNAUTHENTICATED');
    await s.ok(LOGIN, { i: a.email, p: 'another-long-secret' });
  });
});
