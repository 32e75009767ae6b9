import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { anyId } from '../../db/sql.js';
import { ticketComments } from '../../db/schema/index.js';
import { type Connection, type PageRequest, cursorCast } from '../../shared/pagination.js';
import { emptyPage, windowPages } from '../../shared/window-pages.js';
import type { TicketCommentRow } from './ticket.type.js';

const cursorOf = (r: TicketCommentRow) => [r.createdAt.toISOString(), r.id] as [string, string];

/** The comment pages of many tickets (oldest first) in one statement. */
export async function pageComments(
  q: Queryable,
  ticketIds: readonly string[],
  page: PageRequest,
): Promise<Array<Connection<TicketCommentRow>>> {
  const pages = await windowPages<TicketCommentRow>(
    q,
    ticketComments,
    anyId(ticketComments.ticketId, ticketIds),
    { expr: ticketComments.createdAt, id: ticketComments.id, dir: 'ASC', cast: cursorCast.timestamptz, cursorOf },
    page,
    ticketComments.ticketId,
  );
  return ticketIds.map((id) => {
    const found = pages.get(id);
    if (found) return found;
    return emptyPage(q, ticketComments, eq(ticketComments.ticketId, id), page, cursorOf);
  });
}
