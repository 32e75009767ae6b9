import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { createList } from '../tasks/helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ LOGIN_MAX_FAILURES: '3', REFRESH_REUSE_GRACE_S: '1' });
});
afterAll(() => closeAll(s));

const REFRESH = `mutation R($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;
const LOGIN = `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken user { id } } }`;
const CHANGE = `mutation C($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`;
const DELETE = `mutation D($p: String!) { deleteAccount(password: $p) }`;
const ME = `{ me { id } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('refresh rotation', () => {
  it('gives every concurrent copy of one refresh token the same single successor', async () => {
    const a = await s.register();
    const answers = await Promise.all(Array.from({ length: 5 }, () => s.gql(REFRESH, { t: a.refreshToken })));
    for (const r of answers) expect(r.errors).toBeUndefined();
    const successors = new Set(answers.map((r) => r.data.refreshToken.refreshToken));
    expect(successors.size).toBe(1);
    const [successor] = [...successors] as [string];
    // The chain goes on from that one successor, and only once the grace window has passed does
    // the original become a reuse that revokes the whole session (the successor included).
    await sleep(1300);
    const reuse = await s.fail(REFRESH, { t: a.refreshToken });
    expect(reuse.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.fail(REFRESH, { t: successor })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.fail(ME, {}, { token: answers[0]!.data.refreshToken.accessToken })).extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('leaves no sibling chain behind: after the grace window the unused copy revokes, not refreshes', async () => {
    const a = await s.register();
    const [one, two] = await Promise.all([s.ok(REFRESH, { t: a.refreshToken }), s.ok(REFRESH, { t: a.refreshToken })]);
    expect(two.refreshToken.refreshToken).toBe(one.refreshToken.refreshToken);
    const next = await s.ok(REFRESH, { t: one.refreshToken.refreshToken });
    await sleep(1300);
    expect((await s.fail(REFRESH, { t: two.refreshToken.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.fail(REFRESH, { t: next.refreshToken.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('password guessing through account mutations', () => {
  it('counts wrong current passwords of changePassword with the failed logins, then RATE_LIMITED', async () => {
    const a = await s.register();
    for (let i = 0; i < 3; i++) {
      expect(
        (await s.fail(CHANGE, { c: `wrong-${i}-guess`, n: 'a-brand-new-secret' }, { token: a.token })).extensions?.code,
      ).toBe('BAD_USER_INPUT');
    }
    const limited = await s.fail(CHANGE, { c: a.password, n: 'a-brand-new-secret' }, { token: a.token });
    expect(limited.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.extensions?.retryAfter).toBeGreaterThan(0);
    // The same account's logins share the count; the password was not changed.
    expect((await s.fail(LOGIN, { i: a.email, p: a.password })).extensions?.code).toBe('RATE_LIMITED');
  });

  it('counts wrong passwords of deleteAccount the same way, and the account stays', async () => {
    const a = await s.register();
    for (let i = 0; i < 2; i++)
      expect((await s.fail(DELETE, { p: `wrong-${i}` }, { token: a.token })).extensions?.code).toBe('BAD_USER_INPUT');
    // One failed login of the same account fills the window.
    expect((await s.fail(LOGIN, { i: a.email, p: 'wrong-login' })).extensions?.code).toBe('UNAUTHENTICATED');
    const limited = await s.fail(DELETE, { p: a.password }, { token: a.token });
    expect(limited.extensions?.code).toBe('RATE_LIMITED');
    expect((await s.ok(ME, {}, { token: a.token })).me.id).toBe(a.userId);
  });
});

describe('reset tokens', () => {
  it('ends an emailed reset token when the password is changed', async () => {
    const a = await s.register();
    await s.ok(`mutation R($e: String!) { requestPasswordReset(email: $e) }`, { e: a.email });
    const mail = s
      .outbox()
      .filter((m) => m.to === a.email && m.kind === 'reset-password')
      .at(-1)!;
    const token = /Token: (\S+)/.exec(mail.text)![1];
    expect((await s.ok(CHANGE, { c: a.password, n: 'the-new-password-1' }, { token: a.token })).changePassword).toBe(
      true,
    );
    const reset = await s.fail(`mutation R($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }`, {
      t: token,
      p: 'attacker-chosen-pw',
    });
    expect(reset.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await s.ok(LOGIN, { i: a.email, p: 'the-new-password-1' })).login.user.id).toBe(a.userId);
    expect((await s.fail(LOGIN, { i: a.email, p: 'attacker-chosen-pw' })).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('email identity', () => {
  const nfc = (tag: string) => `caf\u00e9.${tag}@example.com`;
  const nfd = (tag: string) => `CAFE\u0301.${tag}@Example.com`;

  it('treats an address typed with a combining accent as the same address on every path', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const a = await s.register({ email: nfc(tag) });
    const dupe = await s.fail(`mutation R($i: RegisterInput!) { register(input: $i) { accessToken } }`, {
      i: { email: nfd(tag), password: PASSWORD },
    });
    expect(dupe.extensions?.code).toBe('CONFLICT');
    expect((await s.ok(LOGIN, { i: nfd(tag), p: PASSWORD })).login.user.id).toBe(a.userId);

    await s.ok(`mutation R($e: String!) { requestPasswordReset(email: $e) }`, { e: nfd(tag) });
    expect(s.outbox().filter((m) => m.to === nfc(tag) && m.kind === 'reset-password')).toHaveLength(1);

    const owner = await s.register();
    const list = await createList(s, owner);
    await s.ok(
      `mutation S($id: ID!, $e: String!) { shareTaskList(id: $id, email: $e, role: VIEWER) { id } }`,
      { id: list, e: nfd(tag) },
      { token: owner.token },
    );
    const members = await s.ok(
      `query L($id: ID!) { taskList(id: $id) { members { user { id } } } }`,
      { id: list },
      { token: owner.token },
    );
    expect(members.taskList.members.map((m: any) => m.user.id)).toContain(a.userId);

    const event = (
      await s.ok(
        `mutation { createEvent(input: { title: "E", startsAt: "2026-06-01T10:00:00Z", endsAt: "2026-06-01T11:00:00Z" }) { id } }`,
        {},
        { token: owner.token },
      )
    ).createEvent.id;
    const [inv] = (
      await s.ok(
        `mutation I($e: ID!, $m: [String!]!) { inviteToEvent(eventId: $e, emails: $m) { email invitee { id } } }`,
        { e: event, m: [nfd(tag)] },
        { token: owner.token },
      )
    ).inviteToEvent;
    expect(inv).toEqual({ email: nfc(tag), invitee: { id: a.userId } });
  });
});

describe('concurrent duplicates', () => {
  it('two concurrent invitations of one new address to one event make one invitation, no error', async () => {
    const a = await s.register();
    const event = (
      await s.ok(
        `mutation { createEvent(input: { title: "Race", startsAt: "2026-08-01T10:00:00Z", endsAt: "2026-08-01T11:00:00Z" }) { id } }`,
        {},
        { token: a.token },
      )
    ).createEvent.id;
    const INVITE = `mutation I($e: ID!, $m: [String!]!) { inviteToEvent(eventId: $e, emails: $m) { email } }`;
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => s.gql(INVITE, { e: event, m: ['same-guest@example.com'] }, { token: a.token })),
    );
    for (const r of answers) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const e = await s.ok(
      `query E($id: ID!) { event(id: $id) { invitations { email } } }`,
      { id: event },
      { token: a.token },
    );
    expect(e.event.invitations).toEqual([{ email: 'same-guest@example.com' }]);
  });

  it('concurrent identical setTaskLabels calls all succeed with the same labels', async () => {
    const a = await s.register();
    const list = await createList(s, a);
    const task = (
      await s.ok(
        `mutation T($l: ID!) { createTask(input: { listId: $l, title: "t" }) { id } }`,
        { l: list },
        { token: a.token },
      )
    ).createTask.id;
    const label = (await s.ok(`mutation { createLabel(input: { name: "race" }) { id } }`, {}, { token: a.token }))
      .createLabel.id;
    const SET = `mutation S($t: ID!, $l: [ID!]!) { setTaskLabels(taskId: $t, labelIds: $l) { labels { id } } }`;
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => s.gql(SET, { t: task, l: [label] }, { token: a.token })),
    );
    for (const r of answers) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const t = await s.ok(`query T($id: ID!) { task(id: $id) { labels { id } } }`, { id: task }, { token: a.token });
    expect(t.task.labels).toEqual([{ id: label }]);
  });

  it('concurrent identical setDocumentTags calls all succeed with the same tags', async () => {
    const a = await s.register();
    const doc = (
      await s.ok(`mutation { createDocument(input: { title: "d", content: "c" }) { id } }`, {}, { token: a.token })
    ).createDocument.id;
    const tag = (await s.ok(`mutation { createTag(input: { name: "race" }) { id } }`, {}, { token: a.token })).createTag
      .id;
    const SET = `mutation S($d: ID!, $t: [ID!]!) { setDocumentTags(documentId: $d, tagIds: $t) { tags { id } } }`;
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => s.gql(SET, { d: doc, t: [tag] }, { token: a.token })),
    );
    for (const r of answers) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const d = await s.ok(`query D($id: ID!) { document(id: $id) { tags { id } } }`, { id: doc }, { token: a.token });
    expect(d.document.tags).toEqual([{ id: tag }]);
  });
});
