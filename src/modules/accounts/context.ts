import type { RequestContext } from '../../shared/context.js';
import type { AccountService } from './account.service.js';
import type { AdminService } from './admin.service.js';
import type { ApiKeysService } from './api-keys.service.js';
import type { AuthService } from './auth.service.js';
import type { SessionsService } from './sessions.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<
  {
    account: AccountService;
    admin: AdminService;
    apiKeys: ApiKeysService;
    auth: AuthService;
    sessions: SessionsService;
  },
  object
>;
