import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { boardFormerKeys, boardMembers, boardStates, boards, tickets, users } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { ConflictError, FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { checkEmail, normalizeEmail } from '../../shared/validation.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { requireBoard } from './board-access.js';
import { announce, stateOf } from './board-rules.js';
import { BoardRole, type BoardMemberRow, type BoardWithRole, StateCategory } from './board.type.js';
import type { CreateBoardInput, UpdateBoardInput } from './tracker.inputs.js';

export const KEY_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;
const NAME_MAX = 100;
const DESCRIPTION_MAX = 5_000;
export const MAX_BOARDS = 100;

const DEFAULT_STATES: Array<{ name: string; category: StateCategory }> = [
  { name: 'Backlog', category: StateCategory.BACKLOG },
  { name: 'Todo', category: StateCategory.UNSTARTED },
  { name: 'In Progress', category: StateCategory.STARTED },
  { name: 'Done', category: StateCategory.COMPLETED },
  { name: 'Canceled', category: StateCategory.CANCELED },
];

function checkFields(
  p: FieldProblems,
  input: { name?: string | null; key?: string | null; description?: string | null },
) {
  if (input.name !== undefined) {
    const name = input.name?.trim() ?? '';
    p.check(name.length >= 1 && name.length <= NAME_MAX, 'name', `Name must be 1-${NAME_MAX} characters`);
  }
  if (input.key !== undefined)
    p.check(KEY_PATTERN.test(input.key ?? ''), 'key', 'Key must be 2-10 of A-Z and 0-9, starting with a letter');
  p.check((input.description ?? '').length <= DESCRIPTION_MAX, 'description', `At most ${DESCRIPTION_MAX} characters`);
}

/** Boards, their settings and members. The owner changes settings and members; members may leave. */
export class BoardService {
  constructor(private readonly app: App) {}

  async boardsOf(viewer: Viewer): Promise<BoardWithRole[]> {
    const rows = await this.app.db
      .select({ board: boards, role: boardMembers.role })
      .from(boards)
      .innerJoin(boardMembers, and(eq(boardMembers.boardId, boards.id), eq(boardMembers.userId, viewer.userId)))
      .orderBy(asc(boards.name), asc(boards.id));
    return rows.map((r) => ({ ...r.board, myRole: r.role as BoardRole }));
  }

  get(viewer: Viewer, id: string): Promise<BoardWithRole> {
    return requireBoard(this.app.db, viewer.userId, id, BoardRole.VIEWER);
  }

  async create(viewer: Viewer, input: CreateBoardInput): Promise<BoardWithRole> {
    const p = new FieldProblems();
    checkFields(p, input);
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      // The owner's row serialises board creation: the key check and the cap hold under concurrency.
      await tx.select({ id: users.id }).from(users).where(eq(users.id, viewer.userId)).for('update');
      const [{ n } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(boards)
        .where(eq(boards.ownerId, viewer.userId));
      if (Number(n) >= MAX_BOARDS) throw new InputError({ name: `At most ${MAX_BOARDS} boards per owner` });
      await this.keyFree(tx, viewer.userId, input.key, null);
      const [board] = await tx
        .insert(boards)
        .values({
          ownerId: viewer.userId,
          key: input.key,
          name: input.name.trim(),
          description: input.description ?? null,
          triageEnabled: input.triageEnabled ?? false,
        })
        .returning();
      const states = await tx
        .insert(boardStates)
        .values(DEFAULT_STATES.map((s, position) => ({ ...s, boardId: board!.id, position })))
        .returning();
      const [withDefault] = await tx
        .update(boards)
        .set({ defaultStateId: states[0]!.id })
        .where(eq(boards.id, board!.id))
        .returning();
      await tx.insert(boardMembers).values({ boardId: board!.id, userId: viewer.userId, role: 'OWNER' });
      await this.activity(tx, viewer, board!.id, 'board.created', `Created the board "${board!.name}" (${board!.key})`);
      return { ...withDefault!, myRole: BoardRole.OWNER };
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateBoardInput): Promise<BoardWithRole> {
    const p = new FieldProblems();
    checkFields(p, input);
    for (const field of ['name', 'key', 'triageEnabled', 'autoAssign', 'wipPolicy', 'defaultStateId'] as const)
      if (input[field] === null) p.add(field, 'Cannot be null');
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, id, BoardRole.OWNER, true);
      const changes: Partial<typeof boards.$inferInsert> = { updatedAt: new Date() };
      if (input.name) changes.name = input.name.trim();
      if (input.description !== undefined) changes.description = input.description;
      if (input.triageEnabled != null) changes.triageEnabled = input.triageEnabled;
      if (input.autoAssign) changes.autoAssign = input.autoAssign;
      if (input.wipPolicy) changes.wipPolicy = input.wipPolicy;
      if (input.defaultStateId)
        changes.defaultStateId = (await stateOf(tx, board.id, input.defaultStateId, 'defaultStateId')).id;
      if (input.key && input.key !== board.key) {
        await tx.select({ id: users.id }).from(users).where(eq(users.id, board.ownerId)).for('update');
        await this.keyFree(tx, board.ownerId, input.key, board.id);
        // The old key keeps resolving in mail subjects ([OLD-12]).
        await tx.insert(boardFormerKeys).values({ boardId: board.id, key: board.key }).onConflictDoNothing();
        await tx
          .delete(boardFormerKeys)
          .where(and(eq(boardFormerKeys.boardId, board.id), eq(boardFormerKeys.key, input.key)));
        changes.key = input.key;
      }
      const [updated] = await tx.update(boards).set(changes).where(eq(boards.id, board.id)).returning();
      await this.activity(tx, viewer, board.id, 'board.updated', `Updated the board "${updated!.name}"`);
      await announce(tx, board.id, 'BOARD_UPDATED', { actorId: viewer.userId });
      return { ...updated!, myRole: board.myRole };
    });
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, id, BoardRole.OWNER, true);
      // Tickets first: they reference the board's states.
      await tx.delete(tickets).where(eq(tickets.boardId, board.id));
      await tx.delete(boards).where(eq(boards.id, board.id));
      await this.activity(
        tx,
        viewer,
        null,
        'board.deleted',
        `Deleted the board "${board.name}" (${board.key})`,
        board.id,
      );
      await announce(tx, board.id, 'BOARD_UPDATED', { actorId: viewer.userId });
      return board.id;
    });
  }

  /** Adds a member with an account, or changes an existing member's role. */
  async addMember(viewer: Viewer, id: string, rawEmail: string, role: BoardRole): Promise<BoardWithRole> {
    const email = normalizeEmail(rawEmail);
    const p = new FieldProblems();
    checkEmail(p, email);
    p.check(role !== BoardRole.OWNER, 'role', 'Add members as EDITOR or VIEWER');
    p.check(email !== viewer.user.email, 'email', 'You own this board already');
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, id, BoardRole.OWNER, true);
      const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
      if (!user) throw new InputError({ email: 'No account uses this address; ask them to sign up first' });
      await tx
        .insert(boardMembers)
        .values({ boardId: board.id, userId: user.id, role })
        .onConflictDoUpdate({ target: [boardMembers.boardId, boardMembers.userId], set: { role } });
      // A member who can no longer be assigned keeps no assignment on the board.
      if (role === BoardRole.VIEWER) await this.unassign(tx, board.id, user.id);
      await this.activity(tx, viewer, board.id, 'board.member_added', `Added ${email} to "${board.name}" as ${role}`);
      return board;
    });
  }

  /** The owner removes a member, or a member leaves. Their assignments on the board are cleared. */
  async removeMember(viewer: Viewer, id: string, rawUserId: string): Promise<BoardWithRole> {
    const userId = parseId(rawUserId, 'Member');
    const leaving = userId === viewer.userId;
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, id, leaving ? BoardRole.VIEWER : BoardRole.OWNER, true);
      if (leaving && board.myRole === BoardRole.OWNER)
        throw new InputError({ userId: 'The owner cannot leave; delete the board instead' });
      const [removed] = await tx
        .delete(boardMembers)
        .where(and(eq(boardMembers.boardId, board.id), eq(boardMembers.userId, userId), ne(boardMembers.role, 'OWNER')))
        .returning();
      if (!removed) throw new NotFoundError('Member');
      await this.unassign(tx, board.id, userId);
      await this.activity(
        tx,
        viewer,
        board.id,
        leaving ? 'board.left' : 'board.member_removed',
        leaving ? `Left "${board.name}"` : `Removed a member from "${board.name}"`,
      );
      return board;
    });
  }

  async setAvailability(viewer: Viewer, id: string, acceptsAssignments: boolean): Promise<BoardMemberRow> {
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, id, BoardRole.VIEWER);
      const [row] = await tx
        .update(boardMembers)
        .set({ acceptsAssignments })
        .where(and(eq(boardMembers.boardId, board.id), eq(boardMembers.userId, viewer.userId)))
        .returning();
      return row!;
    });
  }

  private async unassign(tx: Tx, boardId: string, userId: string) {
    await tx
      .update(tickets)
      .set({ assigneeId: null, updatedAt: new Date() })
      .where(and(eq(tickets.boardId, boardId), eq(tickets.assigneeId, userId)));
  }

  /** CONFLICT when another board of the owner uses the key. */
  private async keyFree(tx: Tx, ownerId: string, key: string, boardId: string | null) {
    const [taken] = await tx
      .select({ id: boards.id })
      .from(boards)
      .where(and(eq(boards.ownerId, ownerId), eq(boards.key, key), boardId ? ne(boards.id, boardId) : undefined));
    if (taken) throw new ConflictError(`Another of your boards uses the key ${key}`, 'key');
  }

  private activity(tx: Tx, viewer: Viewer, boardId: string | null, verb: string, summary: string, entityId?: string) {
    return recordActivity(tx, {
      actorId: viewer.userId,
      verb,
      entityType: 'board',
      entityId: entityId ?? boardId!,
      boardId,
      summary,
    });
  }
}
