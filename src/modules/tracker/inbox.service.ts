import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.js';
import {
  boardMembers,
  emailMessages,
  mailAccounts,
  mailFolders,
  ticketInboxes,
  ticketMail,
} from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { ConflictError, FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { requireBoard } from './board-access.js';
import { announce } from './board-rules.js';
import { BoardRole, type BoardRow } from './board.type.js';
import type { ConnectTicketInboxInput, InboxRow, UpdateTicketInboxInput } from './inbox.type.js';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The inbox's columns with its account's address. */
export const inboxColumns = { ...getTableColumns(ticketInboxes), address: mailAccounts.email };

export function inboxesWhere(q: Queryable, where: ReturnType<typeof eq>) {
  return q
    .select(inboxColumns)
    .from(ticketInboxes)
    .innerJoin(mailAccounts, eq(mailAccounts.id, ticketInboxes.mailAccountId))
    .where(where);
}

function settings(input: UpdateTicketInboxInput) {
  const p = new FieldProblems();
  const domains = input.allowedDomains?.map((d) => d.trim().toLowerCase().replace(/^@/, ''));
  if (domains)
    p.check(
      domains.length <= 50 && domains.every((d) => DOMAIN.test(d)),
      'allowedDomains',
      'Give up to 50 domain names',
    );
  p.check((input.autoReplyText ?? '').length <= 5_000, 'autoReplyText', 'At most 5000 characters');
  p.throwIfAny();
  const set: Partial<typeof ticketInboxes.$inferInsert> = {};
  if (input.replyAddressMode) set.replyAddressMode = input.replyAddressMode;
  if (input.acceptFrom) set.acceptFrom = input.acceptFrom;
  if (domains) set.allowedDomains = [...new Set(domains)];
  if (input.closedReplyPolicy) set.closedReplyPolicy = input.closedReplyPolicy;
  if (input.autoReplyEnabled != null) set.autoReplyEnabled = input.autoReplyEnabled;
  if (input.autoReplyText !== undefined) set.autoReplyText = input.autoReplyText;
  if (input.enabled != null) set.enabled = input.enabled;
  return set;
}

/** Ticket inboxes: the board's OWNER connects one of their own mail accounts (with SMTP). */
export class TicketInboxService {
  constructor(private readonly app: App) {}

  /** An inbox of a board the viewer is a member of. */
  async get(viewer: Viewer, id: string, q: Queryable = this.app.db): Promise<InboxRow> {
    const [row] = await inboxesWhere(q, eq(ticketInboxes.id, parseId(id, 'Ticket inbox'))).innerJoin(
      boardMembers,
      and(eq(boardMembers.boardId, ticketInboxes.boardId), eq(boardMembers.userId, viewer.userId)),
    );
    if (!row) throw new NotFoundError('Ticket inbox');
    return row;
  }

  async connect(viewer: Viewer, input: ConnectTicketInboxInput): Promise<InboxRow> {
    const set = settings(input);
    if (set.acceptFrom === 'ALLOWED_DOMAINS' && !set.allowedDomains?.length)
      throw new InputError({ allowedDomains: 'Name the domains allowed to open tickets' });
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, input.boardId, BoardRole.OWNER, true);
      const [account] = await tx
        .select()
        .from(mailAccounts)
        .where(
          and(
            eq(mailAccounts.id, parseId(input.mailAccountId, 'Mail account')),
            eq(mailAccounts.userId, viewer.userId),
          ),
        );
      if (!account) throw new NotFoundError('Mail account');
      if (!account.smtpHost) throw new InputError({ mailAccountId: 'The account needs SMTP to answer requesters' });
      const [inbox] = await tx
        .insert(ticketInboxes)
        .values({ ...set, boardId: board.id, mailAccountId: account.id, connectedById: viewer.userId })
        .onConflictDoNothing()
        .returning();
      if (!inbox) throw new ConflictError('This mail account already feeds a board', 'mailAccountId');
      // Mail stored before now is never a ticket, even when a re-sync stores it again.
      await tx.execute(
        sql`insert into ${ticketMail} (inbox_id, message_id, board_id)
            select ${inbox.id}, coalesce(m.message_id, '<orbit-email-' || m.id || '@invalid>'), ${board.id}
            from ${emailMessages} m join ${mailFolders} f on f.id = m.folder_id
            where m.account_id = ${account.id} and f.role = 'inbox'
            on conflict do nothing`,
      );
      await this.changed(tx, viewer, board, `Connected ${account.email} to "${board.name}"`);
      return { ...inbox, address: account.email };
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateTicketInboxInput): Promise<InboxRow> {
    const set = settings(input);
    return this.app.db.transaction(async (tx) => {
      const { inbox, board } = await this.owned(tx, viewer, id);
      const next = { ...inbox, ...set };
      if (next.acceptFrom === 'ALLOWED_DOMAINS' && next.allowedDomains.length === 0)
        throw new InputError({ allowedDomains: 'Name the domains allowed to open tickets' });
      if (Object.keys(set).length) await tx.update(ticketInboxes).set(set).where(eq(ticketInboxes.id, inbox.id));
      await this.changed(tx, viewer, board, `Changed the inbox ${inbox.address} of "${board.name}"`);
      return next;
    });
  }

  async disconnect(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const { inbox, board } = await this.owned(tx, viewer, id);
      await tx.delete(ticketInboxes).where(eq(ticketInboxes.id, inbox.id));
      await this.changed(tx, viewer, board, `Disconnected ${inbox.address} from "${board.name}"`);
      return inbox.id;
    });
  }

  private async owned(tx: Tx, viewer: Viewer, id: string): Promise<{ inbox: InboxRow; board: BoardRow }> {
    const inbox = await this.get(viewer, id, tx);
    const board = await requireBoard(tx, viewer.userId, inbox.boardId, BoardRole.OWNER, true);
    return { inbox, board };
  }

  private async changed(tx: Tx, viewer: Viewer, board: BoardRow, summary: string) {
    await recordActivity(tx, {
      actorId: viewer.userId,
      verb: 'board.inbox',
      entityType: 'board',
      entityId: board.id,
      boardId: board.id,
      summary,
    });
    await announce(tx, board.id, 'BOARD_UPDATED', { actorId: viewer.userId });
  }
}
