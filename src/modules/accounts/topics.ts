declare module '../../shared/event-bus.js' {
  interface Topics {
    // origin: the replica that announced a change to sessions or users (see ViewerCache).
    /** Sessions were revoked: their access tokens and sockets end on every replica. */
    'sessions.revoked': { ids: string[]; origin?: string };
    /** Every session of a user ended (password change, deletion, suspension). */
    'user.signout': { userId: string; origin?: string };
    /** A user's profile, role, tier or verification changed: cached viewers of them are stale. */
    'user.changed': { userId: string; origin?: string };
    /** An API key was revoked. */
    'apikey.revoked': { id: string };
  }
}

// Routed by topic (every replica acts on each as a whole): nothing to define.
export {};
