import { and, asc, eq, gt, gte, lt, lte, ne, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { boardLabels, boardStates, boards, tickets } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { ConflictError, FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { checkColor } from '../../shared/validation.js';
import type { Viewer } from '../../shared/viewer.js';
import type { CreateLabelInput } from '../tasks/index.js';
import { recordActivity } from '../activity/index.js';
import { requireBoard } from './board-access.js';
import { announce, stateOf } from './board-rules.js';
import { BoardRole, type BoardStateRow, type BoardWithRole } from './board.type.js';
import { bottomRanks } from './ranks.js';
import type { CreateBoardStateInput, UpdateBoardStateInput } from './tracker.inputs.js';

export const MAX_STATES = 30;
export const MAX_BOARD_LABELS = 100;

function checkState(
  p: FieldProblems,
  input: { name?: string | null; color?: string | null; wipLimit?: number | null },
) {
  if (input.name !== undefined) {
    const name = input.name?.trim() ?? '';
    p.check(name.length >= 1 && name.length <= 50, 'name', 'Name must be 1-50 characters');
  }
  checkColor(p, input.color);
  if (input.wipLimit != null) p.check(input.wipLimit >= 1, 'wipLimit', 'A WIP limit is 1 or more (null: none)');
}

/** A board's states (columns) and labels: the owner changes states, editors add labels. */
export class BoardStateService {
  constructor(private readonly app: App) {}

  async create(viewer: Viewer, boardId: string, input: CreateBoardStateInput): Promise<BoardStateRow> {
    const p = new FieldProblems();
    checkState(p, input);
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, boardId, BoardRole.OWNER, true);
      const n = await this.count(tx, board.id);
      if (n >= MAX_STATES) throw new InputError({ name: `At most ${MAX_STATES} states per board` });
      const [state] = await tx
        .insert(boardStates)
        .values({
          boardId: board.id,
          name: input.name.trim(),
          color: input.color ?? null,
          category: input.category,
          position: n,
          wipLimit: input.wipLimit ?? null,
        })
        .returning();
      await this.changed(tx, viewer, board, `Added the state "${state!.name}"`);
      return state!;
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateBoardStateInput): Promise<BoardStateRow> {
    const p = new FieldProblems();
    checkState(p, input);
    if (input.name === null) p.add('name', 'Cannot be null');
    if (input.position != null) p.check(input.position >= 0, 'position', 'Position must be 0 or more');
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const { board, state } = await this.locked(tx, viewer, id);
      const changes: Partial<typeof boardStates.$inferInsert> = {};
      if (input.name) changes.name = input.name.trim();
      if (input.color !== undefined) changes.color = input.color;
      if (input.wipLimit !== undefined) changes.wipLimit = input.wipLimit;
      if (input.position != null) changes.position = await this.reorder(tx, board.id, state, input.position);
      const [updated] = Object.keys(changes).length
        ? await tx.update(boardStates).set(changes).where(eq(boardStates.id, state.id)).returning()
        : [state];
      await this.changed(tx, viewer, board, `Updated the state "${updated!.name}"`);
      return updated!;
    });
  }

  /**
   * The default state cannot go, nor the last COMPLETED or CANCELED one; a state holding tickets
   * needs `moveTicketsToStateId`, where they go to the bottom in their order.
   */
  async delete(viewer: Viewer, id: string, moveTo: string | null | undefined): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const { board, state } = await this.locked(tx, viewer, id);
      if (board.defaultStateId === state.id)
        throw new InputError({ id: 'The default state cannot be deleted; choose another default first' });
      if (state.category === 'COMPLETED' || state.category === 'CANCELED') {
        const [{ n } = { n: 0 }] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(boardStates)
          .where(and(eq(boardStates.boardId, board.id), eq(boardStates.category, state.category)));
        if (Number(n) <= 1) throw new InputError({ id: `A board keeps at least one ${state.category} state` });
      }
      const held = await tx
        .select({ id: tickets.id })
        .from(tickets)
        .where(eq(tickets.stateId, state.id))
        .orderBy(asc(tickets.rank));
      if (held.length) {
        if (!moveTo) throw new InputError({ moveTicketsToStateId: 'The state holds tickets: say where they go' });
        const target = await stateOf(tx, board.id, moveTo, 'moveTicketsToStateId');
        if (target.id === state.id) throw new InputError({ moveTicketsToStateId: 'Choose another state' });
        const ranks = await bottomRanks(tx, target.id, held.length);
        await tx.execute(
          sql`update ${tickets} t set state_id = ${target.id}, rank = v.rank, updated_at = now()
              from unnest(${sql.param(held.map((h) => h.id))}::uuid[], ${sql.param(ranks)}::text[]) as v(id, rank)
              where t.id = v.id`,
        );
      }
      await tx.delete(boardStates).where(eq(boardStates.id, state.id));
      await tx
        .update(boardStates)
        .set({ position: sql`${boardStates.position} - 1` })
        .where(and(eq(boardStates.boardId, board.id), gt(boardStates.position, state.position)));
      await this.changed(tx, viewer, board, `Deleted the state "${state.name}"`);
      return state.id;
    });
  }

  async createLabel(viewer: Viewer, boardId: string, input: CreateLabelInput) {
    const name = input.name.trim();
    const p = new FieldProblems();
    p.check(name.length >= 1 && name.length <= 50, 'name', 'Name must be 1-50 characters');
    checkColor(p, input.color);
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, boardId, BoardRole.EDITOR, true);
      const [{ n } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(boardLabels)
        .where(eq(boardLabels.boardId, board.id));
      if (Number(n) >= MAX_BOARD_LABELS) throw new InputError({ name: `At most ${MAX_BOARD_LABELS} labels per board` });
      const [label] = await tx
        .insert(boardLabels)
        .values({ boardId: board.id, name, color: input.color ?? null })
        .onConflictDoNothing()
        .returning();
      if (!label) throw new ConflictError(`The board has a label "${name}" already`, 'name');
      await this.changed(tx, viewer, board, `Added the label "${name}"`);
      return label;
    });
  }

  private async locked(tx: Tx, viewer: Viewer, id: string): Promise<{ board: BoardWithRole; state: BoardStateRow }> {
    const stateId = parseId(id, 'State');
    const [found] = await tx
      .select({ boardId: boardStates.boardId })
      .from(boardStates)
      .where(eq(boardStates.id, stateId));
    if (!found) throw new NotFoundError('State');
    const board = await requireBoard(tx, viewer.userId, found.boardId, BoardRole.OWNER, true);
    const [state] = await tx.select().from(boardStates).where(eq(boardStates.id, stateId));
    if (!state) throw new NotFoundError('State');
    return { board, state };
  }

  private async count(tx: Tx, boardId: string): Promise<number> {
    const [{ n } = { n: 0 }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(boardStates)
      .where(eq(boardStates.boardId, boardId));
    return Number(n);
  }

  private async reorder(tx: Tx, boardId: string, state: BoardStateRow, target: number): Promise<number> {
    const to = Math.min(target, (await this.count(tx, boardId)) - 1);
    const from = state.position;
    const others = and(eq(boardStates.boardId, boardId), ne(boardStates.id, state.id));
    if (to < from)
      await tx
        .update(boardStates)
        .set({ position: sql`${boardStates.position} + 1` })
        .where(and(others, gte(boardStates.position, to), lt(boardStates.position, from)));
    else if (to > from)
      await tx
        .update(boardStates)
        .set({ position: sql`${boardStates.position} - 1` })
        .where(and(others, gt(boardStates.position, from), lte(boardStates.position, to)));
    return to;
  }

  private async changed(tx: Tx, viewer: Viewer, board: BoardWithRole, summary: string) {
    await tx.update(boards).set({ updatedAt: new Date() }).where(eq(boards.id, board.id));
    await recordActivity(tx, {
      actorId: viewer.userId,
      verb: 'board.updated',
      entityType: 'board',
      entityId: board.id,
      boardId: board.id,
      summary: `${summary} on "${board.name}"`,
    });
    await announce(tx, board.id, 'BOARD_UPDATED', { actorId: viewer.userId });
  }
}
