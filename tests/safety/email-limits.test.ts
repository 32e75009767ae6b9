import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../src/db/schema/index.js';
import { type Account, uniqueEmail } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { createList } from '../tasks/helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ USER_EMAIL_LIMIT: '5', USER_EMAIL_PER_RECIPIENT_LIMIT: '2', USER_EMAIL_WINDOW_S: '3600' });
});
afterAll(() => closeAll(s));

const INVITE = `mutation I($e: ID!, $m: [String!]!) { inviteToEvent(eventId: $e, emails: $m) { email } }`;
const mailsTo = (to: string) => s.outbox().filter((m) => m.to === to);
const held = async (who: Account) =>
  (await s.server.app.db.select().from(notifications).where(eq(notifications.userId, who.userId))).filter(
    (n) => n.kind === 'EMAIL_LIMIT_REACHED',
  );
const newEvent = async (who: Account, title = 'Party') =>
  (
    await s.ok(
      `mutation C($t: String!) { createEvent(input: { title: $t, startsAt: "2026-07-01T18:00:00Z", endsAt: "2026-07-01T20:00:00Z" }) { id } }`,
      { t: title },
      { token: who.token },
    )
  ).createEvent.id as string;

describe('emails a user causes to be sent', () => {
  it('sends at most the per-recipient limit to one address; later invitations are stored and the sender is told', async () => {
    const a = await s.register();
    const outsider = uniqueEmail('outsider');
    const events: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await newEvent(a, `Party ${i}`);
      events.push(id);
      expect((await s.ok(INVITE, { e: id, m: [outsider] }, { token: a.token })).inviteToEvent).toEqual([
        { email: outsider },
      ]);
    }
    expect(mailsTo(outsider)).toHaveLength(2);
    // Every invitation exists, and the notification says which address was not emailed.
    for (const id of events) {
      const e = await s.ok(
        `query E($id: ID!) { event(id: $id) { invitations { email } } }`,
        { id },
        { token: a.token },
      );
      expect(e.event.invitations).toEqual([{ email: outsider }]);
    }
    const notes = await held(a);
    expect(notes).toHaveLength(2);
    expect(notes[0]!.body).toContain(outsider);
    // Through the API, as the sender sees it.
    const api = await s.ok(`{ notifications(first: 10) { edges { node { kind title } } } }`, {}, { token: a.token });
    expect(api.notifications.edges.map((e: any) => e.node.kind)).toContain('EMAIL_LIMIT_REACHED');
  });

  it('sends at most the per-user limit in all: one call with ten addresses mails five', async () => {
    const a = await s.register();
    const addresses = Array.from({ length: 10 }, () => uniqueEmail('guest'));
    const id = await newEvent(a);
    expect((await s.ok(INVITE, { e: id, m: addresses }, { token: a.token })).inviteToEvent).toHaveLength(10);
    const sent = addresses.filter((to) => mailsTo(to).length > 0);
    expect(sent).toHaveLength(5);
    const [note] = await held(a);
    expect(note!.title).toBe('5 invitation emails were not sent');
  });

  it('stores a share to an unregistered address past the limit without mailing it; it still applies at registration', async () => {
    const a = await s.register();
    const list = await createList(s, a, 'Shared');
    const outsider = uniqueEmail('later');
    const SHARE = `mutation S($id: ID!, $e: String!, $r: ListRole!) { shareTaskList(id: $id, email: $e, role: $r) { id } }`;
    for (const role of ['VIEWER', 'EDITOR', 'VIEWER'])
      await s.ok(SHARE, { id: list, e: outsider, r: role }, { token: a.token });
    expect(mailsTo(outsider)).toHaveLength(2);
    expect(await held(a)).toHaveLength(1);
    const b = await s.register({ email: outsider });
    const lists = await s.ok(`{ taskLists { id myRole } }`, {}, { token: b.token });
    expect(lists.taskLists).toEqual([{ id: list, myRole: 'VIEWER' }]);
  });

  it('never puts a line break from a name into a subject', async () => {
    const a = await s.register({ name: 'Eve\r\nBcc: victim@example.com' });
    const to = uniqueEmail('crlf');
    await s.ok(INVITE, { e: await newEvent(a, 'Title\nX-Injected: 1'), m: [to] }, { token: a.token });
    const [mail] = mailsTo(to);
    expect(mail!.subject).not.toMatch(/[\r\n]/);
    expect(mail!.subject).toBe('Eve Bcc: victim@example.com invited you to "Title X-Injected: 1"');
  });
});
