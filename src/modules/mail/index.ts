/** Email: IMAP accounts synced into threads, drafts sent over SMTP, integration logs. */
export { MailAccountService, scheduleMailSync } from './account.service.js';
export { DraftService, draftDigest } from './draft.service.js';
export { MailService } from './mail.service.js';
export { type MailLoaders, createMailLoaders } from './mail.loaders.js';
export { MailResolver } from './mail.resolver.js';
export {
  EmailAttachmentFields,
  EmailDraftFields,
  EmailMessageFields,
  MailAccountFields,
  MailThreadFields,
} from './mail-fields.resolver.js';
export { DraftStatus, EmailAttachment, EmailMessage, type EmailRow, MailAccount } from './mail.type.js';
export { type ParsedMail, htmlToText } from './parse.js';
export { type MailHooks, type StoredMail, syncJob } from './sync.js';
export { sendJob } from './send.js';
export { deadJob, reapStale } from './reaper.js';
