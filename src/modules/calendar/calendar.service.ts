import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import { type App, sendAll } from '../../shared/app.js';
import type { Queryable, Tx } from '../../db/client.js';
import { events, invitations, users } from '../../db/schema/index.js';
import { FieldProblems, ForbiddenError, InputError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { MAX_YEAR, MIN_YEAR } from '../../shared/scalars.js';
import { type MailQuota, heldMessage, mailQuota } from '../../shared/mail-quota.js';
import type { Mail } from '../../shared/mailer.js';
import { recordActivity } from '../activity/index.js';
import { checkEmail, normalizeEmail } from '../../shared/validation.js';
import type { Viewer } from '../../shared/viewer.js';
import { type NotificationInput, createNotifications } from '../notifications/index.js';
import type { CreateEventInput, EventRow, InvitationRow, UpdateEventInput } from './event.type.js';
import { RsvpStatus } from './event.type.js';
import { addDays, dateInZone, startOfDay } from '../../shared/zones.js';

const MAX_RANGE_DAYS = 366;
export const MAX_INVITATIONS = 100;

/** Events overlapping [from, to) for a viewer in `zone`; all-day events are placed on their dates in that zone. */
export function overlaps(fromDate: Date, toDate: Date, zone: string) {
  // As text with a cast: postgres.js takes no Date objects in raw SQL (PGlite would).
  const from = sql`${fromDate.toISOString()}::timestamptz`;
  const to = sql`${toDate.toISOString()}::timestamptz`;
  const timed = and(
    sql`not ${events.allDay}`,
    sql`${events.startsAt} < ${to}`,
    or(
      sql`${events.endsAt} > ${from}`,
      and(sql`${events.endsAt} = ${events.startsAt}`, sql`${events.startsAt} >= ${from}`),
    ),
  );
  const allDay = and(
    sql`${events.allDay}`,
    sql`timezone(${zone}, ${events.startDate}::timestamp) < ${to}`,
    sql`timezone(${zone}, (${events.endDate} + 1)::timestamp) > ${from}`,
  );
  return or(timed, allDay)!;
}

/** Events the viewer organizes, or is invited to (DECLINED ones only when asked). */
export function visibleEvents(viewerId: string, includeDeclined = true) {
  const invited = sql`${events.id} in (select ${invitations.eventId} from ${invitations} where ${invitations.inviteeId} = ${viewerId}${includeDeclined ? sql`` : sql` and ${invitations.status} <> 'DECLINED'`})`;
  return or(eq(events.organizerId, viewerId), invited)!;
}

export class CalendarService {
  private readonly quota: MailQuota;

  constructor(private readonly app: App) {
    this.quota = mailQuota(app.config);
  }

  async range(viewer: Viewer, from: Date, to: Date, includeDeclined: boolean): Promise<EventRow[]> {
    const p = new FieldProblems();
    p.check(to.getTime() > from.getTime(), 'to', '`to` must be after `from`');
    p.check(
      to.getTime() - from.getTime() <= MAX_RANGE_DAYS * 86_400_000,
      'to',
      `The range is at most ${MAX_RANGE_DAYS} days`,
    );
    p.throwIfAny();
    return this.app.db
      .select()
      .from(events)
      .where(and(visibleEvents(viewer.userId, includeDeclined), overlaps(from, to, viewer.user.timezone)))
      .orderBy(asc(events.startsAt), asc(events.id))
      .limit(1000);
  }

  async get(viewer: Viewer, id: string, q: Queryable = this.app.db): Promise<EventRow> {
    const [row] = await q
      .select()
      .from(events)
      .where(and(eq(events.id, parseId(id, 'Event')), visibleEvents(viewer.userId)));
    if (!row) throw new NotFoundError('Event');
    return row;
  }

  private async own(tx: Tx, viewer: Viewer, id: string): Promise<EventRow> {
    const event = await this.get(viewer, id, tx);
    if (event.organizerId !== viewer.userId) throw new ForbiddenError('Only the organizer may do this');
    return event;
  }

  async create(viewer: Viewer, input: CreateEventInput): Promise<EventRow> {
    const values = this.times(viewer, input.startsAt, input.endsAt, !!input.allDay);
    const p = new FieldProblems();
    const title = input.title.trim();
    p.check(title.length >= 1 && title.length <= 300, 'title', 'Title must be 1-300 characters');
    p.check((input.description ?? '').length <= 10_000, 'description', 'Description must be at most 10,000 characters');
    p.check((input.location ?? '').length <= 500, 'location', 'Location must be at most 500 characters');
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const [event] = await tx
        .insert(events)
        .values({
          organizerId: viewer.userId,
          title,
          description: input.description ?? null,
          location: input.location ?? null,
          ...values,
        })
        .returning();
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'event.created',
        entityType: 'event',
        entityId: event!.id,
        summary: `Created the event "${title}"`,
      });
      return event!;
    });
  }

  /** Changing the time sets every answer back to PENDING and tells the invitees. */
  async update(viewer: Viewer, id: string, input: UpdateEventInput): Promise<EventRow> {
    return this.app.db.transaction(async (tx) => {
      const before = await this.own(tx, viewer, id);
      const p = new FieldProblems();
      const title = input.title?.trim();
      if (input.title !== undefined) p.check(!!title && title.length <= 300, 'title', 'Title must be 1-300 characters');
      p.throwIfAny();
      const allDay = input.allDay ?? before.allDay;
      const timeChanged =
        input.startsAt != null || input.endsAt != null || (input.allDay != null && input.allDay !== before.allDay);
      const times = timeChanged
        ? this.times(viewer, input.startsAt ?? before.startsAt, input.endsAt ?? before.endsAt, allDay)
        : {};
      const changes: Partial<EventRow> = { ...times, updatedAt: new Date() };
      if (title) changes.title = title;
      if (input.description !== undefined) changes.description = input.description;
      if (input.location !== undefined) changes.location = input.location;
      const [event] = await tx.update(events).set(changes).where(eq(events.id, before.id)).returning();
      if (timeChanged) {
        const reset = await tx
          .update(invitations)
          .set({ status: 'PENDING', respondedAt: null })
          .where(eq(invitations.eventId, before.id))
          .returning();
        await this.tell(tx, reset, (i) => ({
          userId: i.inviteeId!,
          kind: 'EVENT_INVITATION',
          title: `"${event!.title}" moved: please answer again`,
          entityType: 'event',
          entityId: event!.id,
        }));
      }
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'event.updated',
        entityType: 'event',
        entityId: event!.id,
        summary: `Updated the event "${event!.title}"`,
      });
      return event!;
    });
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const event = await this.own(tx, viewer, id);
      const invited = await tx.select().from(invitations).where(eq(invitations.eventId, event.id));
      await this.tell(tx, invited, (i) => ({
        userId: i.inviteeId!,
        kind: 'EVENT_INVITATION',
        title: `"${event.title}" was cancelled`,
        entityType: 'event',
        entityId: event.id,
      }));
      await tx.delete(events).where(eq(events.id, event.id));
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'event.deleted',
        entityType: 'event',
        entityId: event.id,
        summary: `Cancelled the event "${event.title}"`,
      });
      return event.id;
    });
  }

  /** Invites addresses (deduplicated, case-insensitive); an address without an account is linked when it registers. */
  async invite(viewer: Viewer, eventId: string, rawEmails: string[]): Promise<InvitationRow[]> {
    const emails = [...new Set(rawEmails.map(normalizeEmail))];
    const p = new FieldProblems();
    for (const email of emails) checkEmail(p, email, 'emails');
    p.check(emails.length > 0, 'emails', 'Give at least one address');
    p.throwIfAny();
    const mails: Mail[] = [];
    const result = await this.app.db.transaction(async (tx) => {
      const event = await this.own(tx, viewer, eventId);
      // The event's row serialises invitations to it: two concurrent calls with the same address
      // (or together past the cap) see each other's rows instead of colliding.
      await tx.select({ id: events.id }).from(events).where(eq(events.id, event.id)).for('update');
      const existing = await tx.select().from(invitations).where(eq(invitations.eventId, event.id));
      const known = new Set(existing.map((i) => i.email));
      const fresh = emails.filter((e) => !known.has(e) && e !== viewer.user.email);
      if (existing.length + fresh.length > MAX_INVITATIONS)
        throw new InputError({ emails: `At most ${MAX_INVITATIONS} invitations per event` });
      let created: InvitationRow[] = [];
      if (fresh.length) {
        const accounts = await tx
          .select({ id: users.id, email: users.email })
          .from(users)
          .where(inArray(users.email, fresh));
        const byEmail = new Map(accounts.map((a) => [a.email, a.id]));
        created = await tx
          .insert(invitations)
          .values(fresh.map((email) => ({ eventId: event.id, email, inviteeId: byEmail.get(email) ?? null })))
          .returning();
        const who = viewer.user.name ?? viewer.user.email;
        await this.tell(tx, created, (i) => ({
          userId: i.inviteeId!,
          kind: 'EVENT_INVITATION',
          title: `${who} invited you to "${event.title}"`,
          entityType: 'event',
          entityId: event.id,
        }));
        await recordActivity(tx, {
          actorId: viewer.userId,
          verb: 'event.invited',
          entityType: 'event',
          entityId: event.id,
          summary: `Invited ${fresh.length} to "${event.title}"`,
        });
        const { send, held } = await this.quota.filter(
          tx,
          viewer.userId,
          created.map((i) => i.email),
        );
        for (const to of send) {
          mails.push({
            kind: 'event-invitation',
            to,
            subject: `${who} invited you to "${event.title}"`,
            text: `${event.title}\n${event.startsAt.toISOString()}\n\n${this.app.config.APP_URL}\n`,
          });
        }
        if (held.length) {
          await createNotifications(tx, [
            {
              userId: viewer.userId,
              kind: 'EMAIL_LIMIT_REACHED',
              ...heldMessage('invitation', held, this.app.config),
              entityType: 'event',
              entityId: event.id,
            },
          ]);
        }
      }
      return [...existing, ...created].filter((i) => emails.includes(i.email));
    });
    await sendAll(this.app, mails);
    return result;
  }

  async respond(viewer: Viewer, invitationId: string, status: RsvpStatus): Promise<InvitationRow> {
    if (status === RsvpStatus.PENDING) throw new InputError({ status: 'Answer ACCEPTED, DECLINED or TENTATIVE' });
    return this.app.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ invitation: invitations, event: events })
        .from(invitations)
        .innerJoin(events, eq(events.id, invitations.eventId))
        .where(
          and(
            eq(invitations.id, parseId(invitationId, 'Invitation')),
            or(eq(invitations.inviteeId, viewer.userId), eq(events.organizerId, viewer.userId)),
          ),
        );
      if (!row) throw new NotFoundError('Invitation');
      if (row.invitation.inviteeId !== viewer.userId) throw new ForbiddenError('Only the invitee may answer');
      const [updated] = await tx
        .update(invitations)
        .set({ status, respondedAt: new Date() })
        .where(eq(invitations.id, row.invitation.id))
        .returning();
      const who = viewer.user.name ?? viewer.user.email;
      await createNotifications(tx, [
        {
          userId: row.event.organizerId,
          kind: 'INVITATION_RESPONSE',
          title: `${who} answered ${status} to "${row.event.title}"`,
          entityType: 'event',
          entityId: row.event.id,
        },
      ]);
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'event.responded',
        entityType: 'event',
        entityId: row.event.id,
        summary: `Answered ${status} to "${row.event.title}"`,
      });
      return updated!;
    });
  }

  async myInvitations(viewer: Viewer, status: RsvpStatus | null | undefined): Promise<InvitationRow[]> {
    const rows = await this.app.db
      .select({ invitation: invitations })
      .from(invitations)
      .innerJoin(events, eq(events.id, invitations.eventId))
      .where(and(eq(invitations.inviteeId, viewer.userId), status ? eq(invitations.status, status) : undefined))
      .orderBy(asc(events.startsAt), asc(invitations.id))
      .limit(1000);
    return rows.map((r) => r.invitation);
  }

  /** Stored times: instants, plus the organizer's dates for an all-day event. */
  private times(viewer: Viewer, startsAt: Date, endsAt: Date, allDay: boolean) {
    if (endsAt.getTime() < startsAt.getTime()) throw new InputError({ endsAt: 'endsAt must not be before startsAt' });
    if (!allDay) return { startsAt, endsAt, allDay, startDate: null, endDate: null };
    const zone = viewer.user.timezone;
    const startDate = dateInZone(startsAt, zone);
    // An end at midnight closes the day before it.
    const last = dateInZone(new Date(Math.max(startsAt.getTime(), endsAt.getTime() - 1)), zone);
    const endDate = last < startDate ? startDate : last;
    // The stored end is the midnight after the last day: it must still be a four-digit year.
    if (endDate >= `${MAX_YEAR}-12-31` || endDate.length !== 10)
      throw new InputError({ endsAt: `An all-day event must end before ${MAX_YEAR}-12-31` });
    if (startDate.length !== 10 || startDate < `${MIN_YEAR}-01-02`)
      throw new InputError({ startsAt: `An all-day event must start after ${MIN_YEAR}-01-01` });
    return {
      allDay,
      startDate,
      endDate,
      startsAt: startOfDay(startDate, zone),
      endsAt: startOfDay(addDays(endDate, 1), zone),
    };
  }

  private async tell(tx: Tx, rows: InvitationRow[], make: (i: InvitationRow) => NotificationInput) {
    await createNotifications(tx, rows.filter((r) => r.inviteeId).map(make));
  }
}
