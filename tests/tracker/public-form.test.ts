import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import { sweep } from '../../src/ops/maintenance.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { code, createBoard } from './helpers.js';

let s: TestServer;
let owner: Account;
beforeAll(async () => {
  // Behind a trusted proxy: each test caller names its client address in X-Forwarded-For.
  s = await startServer({ TRUST_PROXY: 'true', PUBLIC_FORM_EMAIL_LIMIT: '3' });
  owner = await s.register({ name: 'Olga' });
});
afterAll(() => closeAll(s));

const SUBMIT = `mutation S($i: PublicTicketInput!) { submitPublicTicket(input: $i) { accepted confirmationRequired } }`;
const VIEW = `query V($t: String!) { publicTicket(token: $t) { identifier title status createdAt comments { body fromRequester authorName } } }`;
const CONFIRM = `mutation C($t: String!) { confirmPublicTicket(token: $t) { identifier status } }`;
const REPLY = `mutation R($t: String!, $b: String!) { replyToPublicTicket(token: $t, body: $b) { status comments { body fromRequester authorName } } }`;
let ip = 0;
/** Each caller from its own client address. */
const fromNewAddress = () => ({ headers: { 'x-forwarded-for': `10.0.${Math.floor(++ip / 250)}.${ip % 250}` } });

async function formFor(key: string, input: Record<string, unknown> = { enabled: true }) {
  const board = await createBoard(s, owner, key, { triageEnabled: true });
  const form = (
    await s.ok(
      `mutation F($b: ID!, $i: PublicFormInput!) { setBoardPublicForm(boardId: $b, input: $i) { enabled slug url requireEmailConfirmation submissionsToday } }`,
      { b: board.id, i: input },
      { token: owner.token },
    )
  ).setBoardPublicForm;
  return { board, form };
}
const entry = (slug: string, extra: Record<string, unknown> = {}) => ({
  slug,
  name: 'Pat',
  email: `pat-${Math.random().toString(36).slice(2)}@example.com`,
  title: 'The printer is on fire',
  body: 'Since this morning.',
  ...extra,
});
const tokenOf = (to: string) => {
  const mail = s
    .outbox()
    .filter((m) => m.to === to)
    .at(-1);
  return mail?.text.match(/\/public\/tickets\/([\w-]+)/)?.[1];
};

describe('public forms', () => {
  it('is off until enabled; unknown, disabled and rotated slugs are alike NOT_FOUND', async () => {
    const { board, form } = await formFor('PF', { intro: 'Ask us' });
    expect(form).toMatchObject({
      enabled: false,
      requireEmailConfirmation: true,
      url: expect.stringMatching(new RegExp(`/public/forms/${form.slug}$`)),
    });
    const info = `query I($s: String!) { publicForm(slug: $s) { boardName intro requireEmailConfirmation } }`;
    expect(code(await s.fail(info, { s: form.slug }))).toBe('NOT_FOUND');
    await s.ok(
      `mutation F($b: ID!) { setBoardPublicForm(boardId: $b, input: { enabled: true }) { enabled } }`,
      { b: board.id },
      { token: owner.token },
    );
    expect((await s.ok(info, { s: form.slug })).publicForm).toEqual({
      boardName: 'Board PF',
      intro: 'Ask us',
      requireEmailConfirmation: true,
    });
    const rotated = (
      await s.ok(
        `mutation R($b: ID!) { rotatePublicFormSlug(boardId: $b) { slug } }`,
        { b: board.id },
        { token: owner.token },
      )
    ).rotatePublicFormSlug.slug;
    expect(rotated).not.toBe(form.slug);
    for (const slug of [form.slug, 'no-such-form'])
      expect(code(await s.fail(SUBMIT, { i: entry(slug) }, fromNewAddress()))).toBe('NOT_FOUND');
    expect((await s.ok(info, { s: rotated })).publicForm.boardName).toBe('Board PF');
    // An editor sees no form settings; the owner does.
    const q = `query B($id: ID!) { board(id: $id) { publicForm { slug } } }`;
    expect((await s.ok(q, { id: board.id }, { token: owner.token })).board.publicForm.slug).toBe(rotated);
  });

  it('waits unconfirmed and unseen until the emailed link confirms it; then members see it in the queue', async () => {
    const { board, form } = await formFor('PFC');
    const e = entry(form.slug);
    expect((await s.ok(SUBMIT, { i: e }, fromNewAddress())).submitPublicTicket).toEqual({
      accepted: true,
      confirmationRequired: true,
    });
    const token = tokenOf(e.email)!;
    expect(
      s
        .outbox()
        .filter((m) => m.to === e.email)
        .map((m) => m.kind),
    ).toEqual(['ticket-confirm']);
    const queue = `query Q($b: ID) { standbyQueue(boardId: $b, first: 5) { totalCount edges { node { title channel requester { email name } createdBy { id } } } } }`;
    expect((await s.ok(queue, { b: board.id }, { token: owner.token })).standbyQueue.totalCount).toBe(0);
    expect(code(await s.fail(VIEW, { t: token }, fromNewAddress()))).toBe('NOT_FOUND');
    expect((await s.ok(CONFIRM, { t: token }, fromNewAddress())).confirmPublicTicket).toEqual({
      identifier: 'PFC-1',
      status: 'OPEN',
    });
    const listed = (await s.ok(queue, { b: board.id }, { token: owner.token })).standbyQueue;
    expect(listed.edges[0].node).toEqual({
      title: e.title,
      channel: 'PUBLIC_FORM',
      requester: { email: e.email, name: 'Pat' },
      createdBy: null,
    });
    // Confirming again only shows it.
    expect((await s.ok(CONFIRM, { t: token }, fromNewAddress())).confirmPublicTicket.identifier).toBe('PFC-1');
  });

  it('shows the requester PUBLIC comments only; replies reach the ticket; a bad or foreign token is NOT_FOUND', async () => {
    const { board, form } = await formFor('PFV', { enabled: true, requireEmailConfirmation: false });
    const e = entry(form.slug);
    expect((await s.ok(SUBMIT, { i: e }, fromNewAddress())).submitPublicTicket.confirmationRequired).toBe(false);
    expect(
      s
        .outbox()
        .filter((m) => m.to === e.email)
        .map((m) => m.kind),
    ).toEqual(['ticket-link']);
    const token = tokenOf(e.email)!;
    const [ticket] = (
      await s.ok(
        `query Q($b: ID) { standbyQueue(boardId: $b, first: 5) { edges { node { id } } } }`,
        { b: board.id },
        { token: owner.token },
      )
    ).standbyQueue.edges;
    const id = ticket.node.id;
    await s.ok(
      `mutation A($id: ID!) { acceptTicket(id: $id, input: { comment: "We are on it", commentVisibility: PUBLIC }) { id } }`,
      { id },
      { token: owner.token },
    );
    await s.ok(
      `mutation C($id: ID!) { addTicketComment(ticketId: $id, input: { body: "customer is grumpy", visibility: INTERNAL }) { id } }`,
      { id },
      { token: owner.token },
    );
    let view = (await s.ok(VIEW, { t: token }, fromNewAddress())).publicTicket;
    expect(view.comments).toEqual([{ body: 'We are on it', fromRequester: false, authorName: 'Olga' }]);
    view = (await s.ok(REPLY, { t: token, b: 'Thanks!' }, fromNewAddress())).replyToPublicTicket;
    expect(view.comments.map((c: any) => [c.body, c.fromRequester])).toEqual([
      ['We are on it', false],
      ['Thanks!', true],
    ]);
    const mine = await s.ok(
      `query T($id: ID!) { ticket(id: $id) { comments(first: 5) { edges { node { body requester { email } author { id } } } } } }`,
      { id },
      { token: owner.token },
    );
    expect(mine.ticket.comments.edges.at(-1).node).toEqual({
      body: 'Thanks!',
      requester: { email: e.email },
      author: null,
    });
    for (const bad of [`${token}x`, 'x'.repeat(300), ''])
      expect(code(await s.fail(VIEW, { t: bad }, fromNewAddress()))).toBe('NOT_FOUND');
    // A reply to a resolved ticket opens it again.
    const done = (
      await s.ok(
        `query B($id: ID!) { board(id: $id) { states { id category } } }`,
        { id: board.id },
        { token: owner.token },
      )
    ).board.states.find((x: any) => x.category === 'COMPLETED').id;
    await s.ok(
      `mutation M($id: ID!, $st: ID!) { moveTicket(id: $id, input: { stateId: $st }) { id } }`,
      { id, st: done },
      { token: owner.token },
    );
    expect((await s.ok(VIEW, { t: token }, fromNewAddress())).publicTicket.status).toBe('RESOLVED');
    expect((await s.ok(REPLY, { t: token, b: 'It is back' }, fromNewAddress())).replyToPublicTicket.status).toBe(
      'OPEN',
    );
  });

  it('wakes a snoozed ticket when its requester answers through the link', async () => {
    const { board, form } = await formFor('WAKE', { enabled: true, requireEmailConfirmation: false });
    const e = entry(form.slug);
    await s.ok(SUBMIT, { i: e }, fromNewAddress());
    const q = `query Q($b: ID) { standbyQueue(boardId: $b, includeSnoozed: true, first: 5) { edges { node { id triageStatus } } } }`;
    const [waiting] = (await s.ok(q, { b: board.id }, { token: owner.token })).standbyQueue.edges;
    const until = new Date(Date.now() + 86_400_000).toISOString();
    await s.ok(
      `mutation S($id: ID!, $u: DateTime!) { snoozeTicket(id: $id, until: $u) { id } }`,
      { id: waiting.node.id, u: until },
      { token: owner.token },
    );
    await s.ok(REPLY, { t: tokenOf(e.email)!, b: 'Any news?' }, fromNewAddress());
    const after = (await s.ok(q, { b: board.id }, { token: owner.token })).standbyQueue.edges[0].node;
    expect(after).toEqual({ id: waiting.node.id, triageStatus: 'PENDING' });
  });

  it('limits look-ups and replies through ticket links per client address', async () => {
    const { form } = await formFor('TLL', { enabled: true, requireEmailConfirmation: false });
    const e = entry(form.slug);
    await s.ok(SUBMIT, { i: e }, fromNewAddress());
    const from = fromNewAddress();
    await s.server.app.db.execute(
      sql`insert into rate_limits (key, count, reset_at) values (${`public-ticket:${from.headers['x-forwarded-for']}`}, ${s.server.app.config.PUBLIC_TICKET_IP_LIMIT}, now() + interval '10 minutes')`,
    );
    for (const [query, vars] of [
      [VIEW, { t: tokenOf(e.email)! }],
      [REPLY, { t: tokenOf(e.email)!, b: 'hello' }],
      [VIEW, { t: 'guessed-token' }],
    ] as const) {
      const err = await s.fail(query, vars, from);
      expect([code(err), err.extensions?.retryAfter]).toEqual(['RATE_LIMITED', expect.any(Number)]);
    }
    expect((await s.ok(VIEW, { t: tokenOf(e.email)! }, fromNewAddress())).publicTicket.title).toBe(e.title);
  });

  it('drops a filled honeypot silently: the same receipt, nothing stored or mailed', async () => {
    const { board, form } = await formFor('HP');
    const e = entry(form.slug, { website: 'http://spam.example' });
    expect((await s.ok(SUBMIT, { i: e }, fromNewAddress())).submitPublicTicket).toEqual({
      accepted: true,
      confirmationRequired: true,
    });
    expect(s.outbox().filter((m) => m.to === e.email)).toEqual([]);
    const rows = await execRows<{ n: number }>(
      s.server.app.db,
      sql`select count(*)::int as n from tickets where board_id = ${board.id}`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('checks the fields after the limits, and mails nothing for a refused submission', async () => {
    const { form } = await formFor('FLD');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: '' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ body: '' }, 'body'],
      [{ body: 'x'.repeat(20_001) }, 'body'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ email: 'not-an-address' }, 'email'],
    ];
    for (const [fields, field] of cases) {
      const e = entry(form.slug, fields);
      const err = await s.fail(SUBMIT, { i: e }, fromNewAddress());
      expect([code(err), Object.keys(err.extensions?.fields as object)]).toEqual(['BAD_USER_INPUT', [field]]);
      expect(s.outbox().filter((m) => m.to === e.email)).toEqual([]);
    }
  });

  it('limits per client address, per submitter address and per board, with retryAfter', async () => {
    const { form } = await formFor('RL');
    // Per submitter address: 3 an hour here.
    const email = `limited-${Date.now()}@example.com`;
    for (let i = 0; i < 3; i++) await s.ok(SUBMIT, { i: entry(form.slug, { email }) }, fromNewAddress());
    const err = await s.fail(SUBMIT, { i: entry(form.slug, { email }) }, fromNewAddress());
    expect(code(err)).toBe('RATE_LIMITED');
    expect(err.extensions?.retryAfter).toBeGreaterThan(3000);
    // Only one confirmation mail per address per 10 minutes.
    expect(s.outbox().filter((m) => m.to === email)).toHaveLength(1);
    // Per client address: 30 per 10 minutes.
    const same = fromNewAddress();
    for (let i = 0; i < 30; i++) await s.ok(SUBMIT, { i: entry(form.slug) }, same);
    const ipErr = await s.fail(SUBMIT, { i: entry(form.slug) }, same);
    expect([code(ipErr), ipErr.extensions?.retryAfter]).toEqual(['RATE_LIMITED', expect.any(Number)]);
    // The limit comes before the fields: a bad submission over the limit is told RATE_LIMITED.
    expect(code(await s.fail(SUBMIT, { i: entry(form.slug, { title: '' }) }, same))).toBe('RATE_LIMITED');
  });

  it('limits per client address per day and per board per day (counters as 240 and 500 earlier submissions left them)', async () => {
    const { board, form } = await formFor('RLD');
    const other = await formFor('RLD2');
    const daily = fromNewAddress();
    const address = daily.headers['x-forwarded-for'];
    await s.server.app.db.execute(
      sql`insert into rate_limits (key, count, reset_at) values (${`form-ip-day:${address}`}, 240, now() + interval '20 hours')`,
    );
    const err = await s.fail(SUBMIT, { i: entry(other.form.slug) }, daily);
    expect(code(err)).toBe('RATE_LIMITED');
    expect(err.extensions?.retryAfter).toBeGreaterThan(19 * 3600);
    await s.server.app.db.execute(
      sql`insert into rate_limits (key, count, reset_at) values (${`form-board:${board.id}`}, 500, now() + interval '5 hours')`,
    );
    const full = await s.fail(SUBMIT, { i: entry(form.slug) }, fromNewAddress());
    expect([code(full), full.extensions?.retryAfter]).toEqual(['RATE_LIMITED', expect.any(Number)]);
    // Another board's form still takes submissions.
    expect((await s.ok(SUBMIT, { i: entry(other.form.slug) }, fromNewAddress())).submitPublicTicket.accepted).toBe(
      true,
    );
  });

  it('purges submissions left unconfirmed for a day', async () => {
    const { board, form } = await formFor('PRG');
    const e = entry(form.slug);
    await s.ok(SUBMIT, { i: e }, fromNewAddress());
    await s.server.app.db.execute(
      sql`update tickets set created_at = now() - interval '25 hours' where board_id = ${board.id}`,
    );
    await sweep(s.server.app);
    const rows = await execRows<{ n: number }>(
      s.server.app.db,
      sql`select count(*)::int as n from tickets where board_id = ${board.id}`,
    );
    expect(rows[0]!.n).toBe(0);
    expect(code(await s.fail(CONFIRM, { t: tokenOf(e.email)! }, fromNewAddress()))).toBe('NOT_FOUND');
  });
});

describe('public forms with a CAPTCHA provider', () => {
  it('asks the provider (siteverify protocol) and refuses a missing or failed token', async () => {
    const seen: string[] = [];
    const provider = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        seen.push(`${form.get('secret')}:${form.get('response')}`);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ success: form.get('response') === 'good-token' }));
      });
    });
    await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/siteverify`;
    const c = await startServer({ CAPTCHA_VERIFY_URL: url, CAPTCHA_SECRET: 'shh' });
    try {
      const o = await c.register();
      const board = await createBoard(c, o, 'CAP');
      const slug = (
        await c.ok(
          `mutation F($b: ID!) { setBoardPublicForm(boardId: $b, input: { enabled: true }) { slug } }`,
          { b: board.id },
          { token: o.token },
        )
      ).setBoardPublicForm.slug;
      for (const token of [undefined, 'bad-token']) {
        const err = await c.fail(SUBMIT, { i: entry(slug, { captchaToken: token }) });
        expect([code(err), err.extensions?.fields]).toEqual(['BAD_USER_INPUT', { captchaToken: expect.any(String) }]);
      }
      expect((await c.ok(SUBMIT, { i: entry(slug, { captchaToken: 'good-token' }) })).submitPublicTicket.accepted).toBe(
        true,
      );
      expect(seen).toEqual(['shh:bad-token', 'shh:good-token']);
    } finally {
      await closeAll(c);
      provider.close();
    }
  });
});
