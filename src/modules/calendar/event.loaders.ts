import DataLoader from 'dataloader';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { anyId } from '../../db/sql.js';
import { events, invitations } from '../../db/schema/index.js';
import { visibleEvents } from './calendar.service.js';
import type { EventRow, InvitationRow } from './event.type.js';

const NOBODY = '00000000-0000-0000-0000-000000000000';

export function createEventLoaders(db: Db, viewerId: string | null) {
  const viewer = viewerId ?? NOBODY;
  return {
    eventById: new DataLoader<string, EventRow | null>(async (ids) => {
      const rows = await db
        .select()
        .from(events)
        .where(and(anyId(events.id, ids), visibleEvents(viewer)));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    invitationsByEvent: new DataLoader<string, InvitationRow[]>(async (ids) => {
      const rows = await db
        .select()
        .from(invitations)
        .where(anyId(invitations.eventId, ids))
        .orderBy(asc(invitations.createdAt), asc(invitations.id));
      return ids.map((id) => rows.filter((r) => r.eventId === id));
    }),
    myResponseByEvent: new DataLoader<string, InvitationRow | null>(async (ids) => {
      const rows = await db
        .select()
        .from(invitations)
        .where(and(anyId(invitations.eventId, ids), eq(invitations.inviteeId, viewer)));
      const byId = new Map(rows.map((r) => [r.eventId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export type EventLoaders = ReturnType<typeof createEventLoaders>;
