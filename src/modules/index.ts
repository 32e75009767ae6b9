import type { NonEmptyArray } from 'type-graphql';
import type { App } from '../app.js';
import type { Db } from '../db/client.js';
import { AccountResolver } from './accounts/account.resolver.js';
import { AccountService } from './accounts/account.service.js';
import { AdminResolver } from './accounts/admin.resolver.js';
import { AdminService } from './accounts/admin.service.js';
import { ApiKeysResolver } from './accounts/api-keys.resolver.js';
import { ApiKeysService } from './accounts/api-keys.service.js';
import { AuthResolver } from './accounts/auth.resolver.js';
import { AuthService } from './accounts/auth.service.js';
import { SessionsService } from './accounts/sessions.service.js';
import { createAccountLoaders } from './accounts/user.loaders.js';
import { UserResolver } from './accounts/user.resolver.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [AuthResolver, AccountResolver, ApiKeysResolver, AdminResolver, UserResolver];

export function createServices(app: App) {
  const sessions = new SessionsService(app);
  return {
    sessions,
    auth: new AuthService(app, sessions, []),
    account: new AccountService(app, sessions),
    apiKeys: new ApiKeysService(app),
    admin: new AdminService(app, sessions),
  };
}
export type Services = ReturnType<typeof createServices>;

/** Fresh DataLoaders for one request (or one delivered subscription event). */
export function createLoaders(db: Db) {
  return { ...createAccountLoaders(db) };
}
export type Loaders = ReturnType<typeof createLoaders>;
