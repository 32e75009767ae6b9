import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { events, invitations } from '../../db/schema/index.js';
import type { UserRow } from '../users/index.js';
import { createNotifications } from '../notifications/index.js';

/** Registration: invitations sent to this address before it had an account now belong to the user. */
export async function linkInvitations(tx: Tx, user: UserRow): Promise<void> {
  const linked = await tx
    .update(invitations)
    .set({ inviteeId: user.id })
    .where(and(eq(invitations.email, user.email), isNull(invitations.inviteeId)))
    .returning({ eventId: invitations.eventId });
  if (linked.length === 0) return;
  const rows = await tx
    .select({ id: events.id, title: events.title })
    .from(events)
    .where(
      inArray(
        events.id,
        linked.map((l) => l.eventId),
      ),
    );
  const titles = new Map(rows.map((r) => [r.id, r.title]));
  await createNotifications(
    tx,
    linked.map((l) => ({
      userId: user.id,
      kind: 'EVENT_INVITATION' as const,
      title: `You are invited to "${titles.get(l.eventId) ?? 'an event'}"`,
      entityType: 'event',
      entityId: l.eventId,
    })),
  );
}
