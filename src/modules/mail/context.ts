import type { RequestContext } from '../../shared/context.js';
import type { MailAccountService } from './account.service.js';
import type { DraftService } from './draft.service.js';
import type { MailLoaders } from './mail.loaders.js';
import type { MailService } from './mail.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<
  { mailAccounts: MailAccountService; mail: MailService; drafts: DraftService },
  MailLoaders
>;
