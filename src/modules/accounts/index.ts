/** Accounts: sign-in, sessions, tokens, API keys, the account's own changes, admin. */
import './topics.js';
import './app-resources.js';
export { AccountService } from './account.service.js';
export { AdminService } from './admin.service.js';
export { ApiKeysService } from './api-keys.service.js';
export { AuthService, type RegistrationHook } from './auth.service.js';
export { SessionsService } from './sessions.service.js';
export { Passwords } from './passwords.js';
export { ViewerCache } from './viewer-cache.js';
export { authenticate, liveCredentials, sessionViewer } from './viewer.js';
export { AccountResolver } from './account.resolver.js';
export { AdminResolver } from './admin.resolver.js';
export { ApiKeysResolver } from './api-keys.resolver.js';
export { AuthResolver } from './auth.resolver.js';
