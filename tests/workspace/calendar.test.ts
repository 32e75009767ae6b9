import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../src/db/schema/index.js';
import { type Account, uniqueEmail } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const CREATE = `mutation C($i: CreateEventInput!) { createEvent(input: $i) { id startsAt endsAt allDay } }`;
const RANGE = `query R($f: DateTime!, $t: DateTime!, $d: Boolean) { events(from: $f, to: $t, includeDeclined: $d) { id title startsAt endsAt myResponse } }`;
const INVITE = `mutation I($e: ID!, $m: [String!]!) { inviteToEvent(eventId: $e, emails: $m) { id email status invitee { id } } }`;
const RESPOND = `mutation R($id: ID!, $s: RsvpStatus!) { respondToInvitation(invitationId: $id, status: $s) { id status respondedAt } }`;
const event = async (who: Account, title: string, startsAt: string, endsAt: string, allDay = false) =>
  (await s.ok(CREATE, { i: { title, startsAt, endsAt, allDay } }, { token: who.token })).createEvent;
const titles = async (who: Account, f: string, t: string, d = false) =>
  (await s.ok(RANGE, { f, t, d }, { token: who.token })).events.map((e: any) => e.title);
const kinds = async (userId: string) =>
  (await s.server.app.db.select().from(notifications).where(eq(notifications.userId, userId))).map((n) => n.kind);

describe('events(from, to)', () => {
  it('returns events overlapping [from, to): touching edges are out, overlapping and containing are in', async () => {
    const a = await s.register();
    await event(a, 'ends at from', '2026-03-01T08:00:00Z', '2026-03-01T10:00:00Z');
    await event(a, 'starts at to', '2026-03-01T12:00:00Z', '2026-03-01T13:00:00Z');
    await event(a, 'overlaps start', '2026-03-01T09:00:00Z', '2026-03-01T11:00:00Z');
    await event(a, 'inside', '2026-03-01T10:30:00Z', '2026-03-01T11:00:00Z');
    await event(a, 'contains', '2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    await event(a, 'zero length at from', '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z');
    expect((await titles(a, '2026-03-01T10:00:00Z', '2026-03-01T12:00:00Z')).sort()).toEqual([
      'contains',
      'inside',
      'overlaps start',
      'zero length at from',
    ]);
  });

  it('validates the range and the event times with BAD_USER_INPUT', async () => {
    const a = await s.register();
    for (const [f, t] of [
      ['2026-03-02T00:00:00Z', '2026-03-01T00:00:00Z'],
      ['2026-01-01T00:00:00Z', '2027-01-03T00:00:00Z'],
    ]) {
      expect((await s.fail(RANGE, { f, t }, { token: a.token })).extensions?.code).toBe('BAD_USER_INPUT');
    }
    const e = await s.fail(
      CREATE,
      { i: { title: 'backwards', startsAt: '2026-03-01T10:00:00Z', endsAt: '2026-03-01T09:00:00Z' } },
      { token: a.token },
    );
    expect(e.extensions?.fields).toEqual({ endsAt: 'endsAt must not be before startsAt' });
  });
});

describe('all-day events across timezones', () => {
  it("an Auckland organizer's all-day event falls on the same date for a Los Angeles invitee, across DST", async () => {
    const nz = await s.register({ timezone: 'Pacific/Auckland' });
    const la = await s.register({ timezone: 'America/Los_Angeles' });
    // 1 November 2026, all day in Auckland (NZDT, UTC+13): 2026-10-31T11:00Z to 2026-11-01T11:00Z.
    const e = await event(nz, 'Daylight day', '2026-10-31T11:00:00Z', '2026-11-01T11:00:00Z', true);
    expect(e).toMatchObject({ allDay: true, startsAt: '2026-10-31T11:00:00.000Z', endsAt: '2026-11-01T11:00:00.000Z' });
    await s.ok(INVITE, { e: e.id, m: [la.email] }, { token: nz.token });
    // In Los Angeles that date starts in PDT (UTC-7) and the next one in PST (UTC-8): US DST ends that day.
    const seen = (
      await s.ok(
        `query Q($id: ID!) { event(id: $id) { startsAt endsAt myResponse } }`,
        { id: e.id },
        { token: la.token },
      )
    ).event;
    expect(seen).toEqual({
      startsAt: '2026-11-01T07:00:00.000Z',
      endsAt: '2026-11-02T08:00:00.000Z',
      myResponse: 'PENDING',
    });
    // The range query places it by the viewer's dates too: late on 1 Nov in LA still shows it.
    expect(await titles(la, '2026-11-02T06:00:00Z', '2026-11-02T07:00:00Z')).toEqual(['Daylight day']);
    expect(await titles(la, '2026-11-02T08:30:00Z', '2026-11-02T09:00:00Z')).toEqual([]);
  });
});

describe('invitations', () => {
  it('dedupes addresses, links accounts, notifies, and links an address when it registers later', async () => {
    const org = await s.register();
    const guest = await s.register();
    const later = uniqueEmail('later');
    const e = await event(org, 'Party', '2026-05-01T18:00:00Z', '2026-05-01T22:00:00Z');
    const invited = (
      await s.ok(INVITE, { e: e.id, m: [guest.email.toUpperCase(), guest.email, later] }, { token: org.token })
    ).inviteToEvent;
    expect(invited.map((i: any) => [i.email, i.invitee?.id ?? null])).toEqual([
      [guest.email, guest.userId],
      [later, null],
    ]);
    expect(await kinds(guest.userId)).toEqual(['EVENT_INVITATION']);
    expect(
      s
        .outbox()
        .filter((m) => m.kind === 'event-invitation')
        .map((m) => m.to),
    ).toEqual(expect.arrayContaining([guest.email, later]));
    const newcomer = await s.register({ email: later });
    expect(
      (await s.ok(`{ myInvitations { status event { title } } }`, {}, { token: newcomer.token })).myInvitations,
    ).toEqual([{ status: 'PENDING', event: { title: 'Party' } }]);
    expect(await kinds(newcomer.userId)).toEqual(['EVENT_INVITATION']);
    // Inviting the same address again adds nothing.
    expect((await s.ok(INVITE, { e: e.id, m: [guest.email] }, { token: org.token })).inviteToEvent).toHaveLength(1);
  });

  it('only the invitee answers; the organizer is told; DECLINED hides the event unless asked', async () => {
    const org = await s.register();
    const guest = await s.register();
    const stranger = await s.register();
    const e = await event(org, 'Meeting', '2026-06-01T09:00:00Z', '2026-06-01T10:00:00Z');
    const [inv] = (await s.ok(INVITE, { e: e.id, m: [guest.email] }, { token: org.token })).inviteToEvent;
    expect((await s.fail(RESPOND, { id: inv.id, s: 'ACCEPTED' }, { token: org.token })).extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect((await s.fail(RESPOND, { id: inv.id, s: 'ACCEPTED' }, { token: stranger.token })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await s.ok(RESPOND, { id: inv.id, s: 'DECLINED' }, { token: guest.token })).respondToInvitation.status,
    ).toBe('DECLINED');
    expect(await kinds(org.userId)).toEqual(['INVITATION_RESPONSE']);
    expect(await titles(guest, '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z')).toEqual([]);
    expect(await titles(guest, '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z', true)).toEqual(['Meeting']);
    expect(
      (await s.ok(`{ myInvitations(status: DECLINED) { id } }`, {}, { token: guest.token })).myInvitations,
    ).toEqual([{ id: inv.id }]);
    const orgView = (await s.ok(RANGE, { f: '2026-06-01T00:00:00Z', t: '2026-06-02T00:00:00Z' }, { token: org.token }))
      .events[0];
    expect(orgView.myResponse).toBeNull();
  });

  it('a new time sets answers back to PENDING and tells invitees; deleting tells them too', async () => {
    const org = await s.register();
    const guest = await s.register();
    const e = await event(org, 'Moving', '2026-07-01T09:00:00Z', '2026-07-01T10:00:00Z');
    const [inv] = (await s.ok(INVITE, { e: e.id, m: [guest.email] }, { token: org.token })).inviteToEvent;
    await s.ok(RESPOND, { id: inv.id, s: 'ACCEPTED' }, { token: guest.token });
    await s.ok(
      `mutation U($id: ID!) { updateEvent(id: $id, input: { title: "Renamed" }) { id } }`,
      { id: e.id },
      { token: org.token },
    );
    expect((await s.ok(`{ myInvitations { status } }`, {}, { token: guest.token })).myInvitations).toEqual([
      { status: 'ACCEPTED' },
    ]);
    await s.ok(
      `mutation U($id: ID!) { updateEvent(id: $id, input: { startsAt: "2026-07-02T09:00:00Z", endsAt: "2026-07-02T10:00:00Z" }) { id } }`,
      { id: e.id },
      { token: org.token },
    );
    expect((await s.ok(`{ myInvitations { status } }`, {}, { token: guest.token })).myInvitations).toEqual([
      { status: 'PENDING' },
    ]);
    await s.ok(`mutation D($id: ID!) { deleteEvent(id: $id) }`, { id: e.id }, { token: org.token });
    expect(await kinds(guest.userId)).toEqual(['EVENT_INVITATION', 'EVENT_INVITATION', 'EVENT_INVITATION']);
    expect((await s.ok(`{ myInvitations { id } }`, {}, { token: guest.token })).myInvitations).toEqual([]);
  });

  it('outsiders get NOT_FOUND and invitees FORBIDDEN on organizer operations; at most 100 invitations', async () => {
    const org = await s.register();
    const guest = await s.register();
    const stranger = await s.register();
    const e = await event(org, 'Private', '2026-08-01T09:00:00Z', '2026-08-01T10:00:00Z');
    await s.ok(INVITE, { e: e.id, m: [guest.email] }, { token: org.token });
    const ops: Array<[string, Record<string, unknown>]> = [
      [`mutation M($id: ID!) { updateEvent(id: $id, input: { title: "x" }) { id } }`, { id: e.id }],
      [`mutation M($id: ID!) { deleteEvent(id: $id) }`, { id: e.id }],
      [INVITE, { e: e.id, m: ['x@example.com'] }],
    ];
    expect(
      (await s.fail(`query Q($id: ID!) { event(id: $id) { id } }`, { id: e.id }, { token: stranger.token })).extensions
        ?.code,
    ).toBe('NOT_FOUND');
    for (const [q, v] of ops) {
      expect((await s.fail(q, v, { token: stranger.token })).extensions?.code).toBe('NOT_FOUND');
      expect((await s.fail(q, v, { token: guest.token })).extensions?.code).toBe('FORBIDDEN');
    }
    const many = Array.from({ length: 100 }, (_, i) => `bulk${i}@example.com`);
    expect((await s.fail(INVITE, { e: e.id, m: many }, { token: org.token })).extensions?.fields).toEqual({
      emails: 'At most 100 invitations per event',
    });
    expect((await s.ok(INVITE, { e: e.id, m: many.slice(0, 99) }, { token: org.token })).inviteToEvent).toHaveLength(
      99,
    );
  });
});
