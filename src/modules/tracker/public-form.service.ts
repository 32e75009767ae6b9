import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gte, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { boards, publicForms, publicTicketTokens, tickets } from '../../db/schema/index.js';
import { type App, sendAll } from '../../shared/app.js';
import { FieldProblems, InputError, NotFoundError, RateLimitedError } from '../../shared/errors.js';
import type { Mail } from '../../shared/mailer.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import { checkEmail, normalizeEmail } from '../../shared/validation.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { requireBoard } from './board-access.js';
import { announce, identifierOf } from './board-rules.js';
import { BoardRole, type BoardRow } from './board.type.js';
import { verifyCaptcha } from './captcha.js';
import type { PublicFormInput, PublicTicketInput } from './public-form.type.js';
import { insertTicket } from './ticket-intake.js';
import { BODY_MAX, TITLE_MAX } from './ticket-rules.js';
import { TicketChannel, type TicketRow } from './ticket.type.js';

export type FormRow = typeof publicForms.$inferSelect;
export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const newSlug = () => randomBytes(12).toString('base64url');
const CONFIRM_MAIL_WINDOW_S = 600;

/** Links mailed to requesters: the HTML pages of the server. */
export const ticketLink = (app: App, token: string) => `${app.config.APP_URL}/public/tickets/${token}`;
export const formUrl = (app: App, slug: string) => `${app.config.APP_URL}/public/forms/${slug}`;

/** A board's public request form: the owner configures it; anyone submits through it. */
export class PublicFormService {
  private readonly limits: RateLimiter;

  constructor(private readonly app: App) {
    this.limits = new RateLimiter(app.db);
  }

  async configure(viewer: Viewer, boardId: string, input: PublicFormInput): Promise<FormRow> {
    if ((input.intro ?? '').length > 2_000) throw new InputError({ intro: 'At most 2000 characters' });
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, boardId, BoardRole.OWNER, true);
      const set: Partial<FormRow> = { updatedAt: new Date() };
      if (input.enabled != null) set.enabled = input.enabled;
      if (input.requireEmailConfirmation != null) set.requireEmailConfirmation = input.requireEmailConfirmation;
      if (input.intro !== undefined) set.intro = input.intro;
      const [form] = await tx
        .insert(publicForms)
        .values({ boardId: board.id, slug: newSlug(), ...set })
        .onConflictDoUpdate({ target: publicForms.boardId, set })
        .returning();
      await this.changed(tx, viewer, board, `Set the public form of "${board.name}"`);
      return form!;
    });
  }

  /** A new slug: the old URL is NOT_FOUND from now on, like any unknown one. */
  async rotate(viewer: Viewer, boardId: string): Promise<FormRow> {
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, boardId, BoardRole.OWNER, true);
      const [form] = await tx
        .update(publicForms)
        .set({ slug: newSlug(), updatedAt: new Date() })
        .where(eq(publicForms.boardId, board.id))
        .returning();
      if (!form) throw new NotFoundError('Public form');
      await this.changed(tx, viewer, board, `Rotated the public form link of "${board.name}"`);
      return form;
    });
  }

  /** The enabled form of a slug with its board; unknown, disabled and rotated slugs are alike NOT_FOUND. */
  async open(slug: string): Promise<{ form: FormRow; board: BoardRow }> {
    const [row] =
      slug.length <= 64
        ? await this.app.db
            .select({ form: publicForms, board: boards })
            .from(publicForms)
            .innerJoin(boards, eq(boards.id, publicForms.boardId))
            .where(and(eq(publicForms.slug, slug), eq(publicForms.enabled, true)))
        : [];
    if (!row) throw new NotFoundError('Form');
    return row;
  }

  async submissionsToday(boardId: string): Promise<number> {
    const [row] = await this.app.db
      .select({ n: sql<number>`count(*)::int` })
      .from(tickets)
      .where(
        and(
          eq(tickets.boardId, boardId),
          eq(tickets.channel, 'PUBLIC_FORM'),
          gte(tickets.createdAt, sql`date_trunc('day', now())`),
        ),
      );
    return Number(row?.n ?? 0);
  }

  /**
   * An anonymous submission. In order: the honeypot (filled: the same receipt, nothing stored or
   * mailed), the rate limits, the CAPTCHA when configured, the fields; then the ticket (waiting
   * unconfirmed when the form asks for confirmation) and, after commit, one mail.
   */
  async submit(input: PublicTicketInput, clientIp: string) {
    const { form, board } = await this.open(input.slug);
    const receipt = { accepted: true, confirmationRequired: form.requireEmailConfirmation };
    if (input.website?.trim()) return receipt;
    const email = normalizeEmail(input.email);
    await this.rateLimits(board.id, email, clientIp);
    if (this.app.config.CAPTCHA_VERIFY_URL) await verifyCaptcha(this.app.config, input.captchaToken, clientIp);
    const title = input.title.trim();
    const body = input.body.trim();
    const name = input.name?.trim() || null;
    const p = new FieldProblems();
    p.check(title.length >= 1 && title.length <= TITLE_MAX, 'title', `Title must be 1-${TITLE_MAX} characters`);
    p.check(body.length >= 1 && body.length <= BODY_MAX, 'body', `Must be 1-${BODY_MAX} characters`);
    p.check((name ?? '').length <= 100, 'name', 'At most 100 characters');
    checkEmail(p, email);
    p.throwIfAny();
    const token = randomBytes(24).toString('base64url');
    const ticket = await this.app.db.transaction(async (tx) => {
      const [locked] = await tx.select().from(boards).where(eq(boards.id, board.id)).for('update');
      if (!locked) throw new NotFoundError('Form');
      const ticket = await insertTicket(
        tx,
        locked,
        {
          title,
          description: body,
          standby: locked.triageEnabled,
          requester: { email, name },
          channel: TicketChannel.PUBLIC_FORM,
          createdById: null,
          confirmed: !form.requireEmailConfirmation,
          external: true,
        },
        null,
      );
      await tx.insert(publicTicketTokens).values({ tokenHash: sha256(token), ticketId: ticket.id, email });
      return ticket;
    });
    await sendAll(this.app, await this.mailFor(board, ticket, token, form.requireEmailConfirmation));
    return receipt;
  }

  private async rateLimits(boardId: string, email: string, ip: string) {
    const c = this.app.config;
    const checks = [
      [`form-ip:${ip}`, c.PUBLIC_FORM_IP_LIMIT, 600],
      [`form-ip-day:${ip}`, c.PUBLIC_FORM_IP_DAILY_LIMIT, 86_400],
      [`form-email:${email}`, c.PUBLIC_FORM_EMAIL_LIMIT, 3_600],
      [`form-board:${boardId}`, c.PUBLIC_FORM_BOARD_DAILY_LIMIT, 86_400],
    ] as const;
    let wait = 0;
    for (const [key, limit, seconds] of checks) {
      const [row] = await this.limits.count([key], seconds);
      if (row && row.count > limit) wait = Math.max(wait, row.retryAfter);
    }
    if (wait > 0) throw new RateLimitedError(wait);
  }

  /** The confirmation mail (at most one per address per 10 minutes), or the link to follow the ticket. */
  private async mailFor(board: BoardRow, ticket: TicketRow, token: string, confirm: boolean): Promise<Mail[]> {
    const identifier = identifierOf(board.key, ticket);
    const link = ticketLink(this.app, token);
    if (!confirm)
      return [
        {
          kind: 'ticket-link',
          to: ticket.requesterEmail!,
          subject: `[${identifier}] ${ticket.title}`,
          text: `We received your request to ${board.name}.\n\nFollow it and reply here:\n${link}\n`,
        },
      ];
    const [row] = await this.limits.count([`form-confirm:${ticket.requesterEmail}`], CONFIRM_MAIL_WINDOW_S);
    if (row && row.count > 1) return [];
    return [
      {
        kind: 'ticket-confirm',
        to: ticket.requesterEmail!,
        subject: `Confirm your request to ${board.name}`,
        text: `Someone (we hope you) sent a request to ${board.name} with this address: "${ticket.title}".\n\nConfirm it here, and follow it at the same link:\n${link}\n\nIf it was not you, ignore this mail: the request is deleted in 24 hours.\n`,
      },
    ];
  }

  private async changed(tx: Tx, viewer: Viewer, board: BoardRow, summary: string) {
    await recordActivity(tx, {
      actorId: viewer.userId,
      verb: 'board.public_form',
      entityType: 'board',
      entityId: board.id,
      boardId: board.id,
      summary,
    });
    await announce(tx, board.id, 'BOARD_UPDATED', { actorId: viewer.userId });
  }
}
