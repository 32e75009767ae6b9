import type { Passwords } from './passwords.js';
import type { TokenSettings } from './tokens.js';
import type { ViewerCache } from './viewer-cache.js';

/** What the accounts module keeps for the whole server, built once by the composition root. */
declare module '../../shared/app.js' {
  interface App {
    passwords: Passwords;
    tokens: TokenSettings;
    /** Verified access tokens, until their session or user changes. */
    viewers: ViewerCache;
  }
}

export {};
