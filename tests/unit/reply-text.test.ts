import { describe, expect, it } from 'vitest';
import type { ParsedMail } from '../../src/modules/mail/index.js';
import { replyText } from '../../src/modules/tracker/mail-intake.js';

const mail = (text: string | null, html: string | null = null): ParsedMail => ({
  subject: 's',
  from: { name: null, address: 'a@example.com' },
  to: [],
  cc: [],
  sentAt: null,
  messageId: null,
  inReplyTo: null,
  references: [],
  text,
  html,
  snippet: 'snippet',
  attachments: [],
  partial: false,
  automation: { autoSubmitted: null, precedence: null, listId: null },
  report: null,
});

describe('the reply part of a mail', () => {
  it('cuts quoted history and signatures from plain text', () => {
    expect(
      replyText(mail('Works now.\n\nOn Tue, 1 Dec 2026 at 10:00, Support <s@x.example> wrote:\n> Try again\n> please')),
    ).toBe('Works now.');
    expect(replyText(mail('Thanks\n\n-- \nPat\nACME Corp'))).toBe('Thanks');
    expect(replyText(mail('Only this\n\n-----Original Message-----\nFrom: x\nold text'))).toBe('Only this');
  });

  it('keeps the whole text when everything is quoted, and reads HTML-only mail line by line', () => {
    expect(replyText(mail('> all quoted\n> here'))).toContain('all quoted');
    expect(
      replyText(
        mail(null, '<div>Still broken &amp; slow.</div><div>Pat</div><blockquote>earlier <b>words</b></blockquote>'),
      ),
    ).toBe('Still broken & slow.\nPat');
    expect(replyText(mail(null, null))).toBe('snippet');
  });
});
