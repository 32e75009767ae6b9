import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { boardLabels, boards, ticketLabels } from '../../db/schema/index.js';
import { InputError } from '../../shared/errors.js';
import { validIds } from '../../shared/ids.js';
import { type BoardStateRow } from './board.type.js';

export const TITLE_MAX = 200;
export const BODY_MAX = 20_000;
export const MAX_TICKET_LABELS = 20;
export const MAX_PARTICIPANTS = 50;

/** completedAt and canceledAt as entering `state` sets them. */
export function stateStamps(state: BoardStateRow, now = new Date()) {
  return {
    completedAt: state.category === 'COMPLETED' ? now : null,
    canceledAt: state.category === 'CANCELED' ? now : null,
  };
}

/** The board's labels among `ids` (at most 20); any other id is BAD_USER_INPUT fields.labelIds. */
export async function boardLabelIds(tx: Tx, boardId: string, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length > MAX_TICKET_LABELS)
    throw new InputError({ labelIds: `At most ${MAX_TICKET_LABELS} labels per ticket` });
  const valid = validIds(wanted);
  const rows = valid.length
    ? await tx
        .select({ id: boardLabels.id })
        .from(boardLabels)
        .where(and(eq(boardLabels.boardId, boardId), inArray(boardLabels.id, valid)))
    : [];
  if (rows.length !== wanted.length) throw new InputError({ labelIds: 'Labels must belong to the board' });
  return rows.map((r) => r.id);
}

export async function replaceLabels(tx: Tx, ticketId: string, labelIds: string[]): Promise<void> {
  await tx.delete(ticketLabels).where(eq(ticketLabels.ticketId, ticketId));
  if (labelIds.length) await tx.insert(ticketLabels).values(labelIds.map((labelId) => ({ ticketId, labelId })));
}

/** Takes the board's next ticket number (the caller holds the board's lock; numbers are never reused). */
export async function nextNumber(tx: Tx, boardId: string): Promise<number> {
  const [row] = await tx
    .update(boards)
    .set({ nextNumber: sql`${boards.nextNumber} + 1` })
    .where(eq(boards.id, boardId))
    .returning({ next: boards.nextNumber });
  return row!.next - 1;
}

/** Marks a ticket touched: updatedAt and lastActivityAt. */
export const touched = () => ({ updatedAt: new Date(), lastActivityAt: new Date() });

export function checkTicketText(title: string | null | undefined, description: string | null | undefined) {
  const problems: Record<string, string> = {};
  if (title !== undefined) {
    const t = title?.trim() ?? '';
    if (t.length < 1 || t.length > TITLE_MAX) problems.title = `Title must be 1-${TITLE_MAX} characters`;
  }
  if ((description ?? '').length > BODY_MAX) problems.description = `At most ${BODY_MAX} characters`;
  if (Object.keys(problems).length) throw new InputError(problems);
}
