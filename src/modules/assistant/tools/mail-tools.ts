import { z } from 'zod';
import { draftDigest } from '../../mail/index.js';
import { SearchableType } from '../../search/index.js';
import { defineTool, id } from './tool.js';

const address = z.string().max(320);

/** Email is content the viewer did not write: reading it makes later WRITE calls of the turn wait. */
export const searchEmail = defineTool({
  name: 'search_email',
  description: "Search the user's synced email by words; best matches first, with snippets.",
  risk: 'READ',
  schema: z.strictObject({ query: z.string().min(1).max(200) }),
  async run(viewer, s, args) {
    const hits = await s.search.search(viewer, args.query, [SearchableType.EMAIL], null, 20);
    return {
      result: { emails: hits.map((h) => ({ id: h.id, subject: h.title, snippet: h.snippet })) },
      foreign: true,
      summary: `searched email for “${args.query}”`,
    };
  },
});

export const draftEmail = defineTool({
  name: 'draft_email',
  description: "Write an email draft from one of the user's mail accounts (not sent: send_email sends it).",
  risk: 'WRITE',
  schema: z.strictObject({
    accountId: id('mail account'),
    to: z.array(address).min(1).max(50),
    subject: z.string().max(500),
    text: z.string().max(200_000),
    inReplyToId: id('email').optional(),
  }),
  async run(viewer, s, a) {
    const d = await s.drafts.save(viewer, null, {
      accountId: a.accountId,
      to: a.to,
      subject: a.subject,
      text: a.text,
      inReplyToId: a.inReplyToId ?? null,
    });
    return {
      result: { draft: { id: d.id, to: d.to, subject: d.subject, status: d.status } },
      entity: { type: 'email_draft', id: d.id },
      summary: `drafted the email “${d.subject}”`,
    };
  },
});

export const sendEmail = defineTool({
  name: 'send_email',
  description: 'Send an email draft.',
  risk: 'EXTERNAL',
  schema: z.strictObject({ draftId: id('draft') }),
  // The person approves this exact message: recipients, subject and the body's digest; approving
  // sends it only if the draft is still that version.
  async preview(viewer, s, a) {
    const d = await s.drafts.get(viewer, a.draftId);
    return { to: d.to, cc: d.cc, subject: d.subject, excerpt: d.text.slice(0, 280), sha256: draftDigest(d) };
  },
  async run(viewer, s, a, approved) {
    const expected = typeof approved?.sha256 === 'string' ? approved.sha256 : null;
    const d = await s.drafts.send(viewer, a.draftId, expected);
    return {
      result: { draft: { id: d.id, status: d.status } },
      entity: { type: 'email_draft', id: d.id },
      summary: `sent the email “${d.subject}”`,
    };
  },
});
