import type { users } from '../db/schema/users.js';
import type { AppError } from './errors.js';

/** A user row without the password hash: what the viewer and the loaders carry around. */
export type PublicUser = Omit<typeof users.$inferSelect, 'passwordHash'>;

/** Who is asking: a user through a session (access token) or through an API key. */
export interface Viewer {
  user: PublicUser;
  userId: string;
  sessionId: string | null;
  apiKeyId: string | null;
  /** The API key's scopes (READ, WRITE); null for a session, which may do all its user may. */
  scopes: readonly string[] | null;
  /** When the credential stops working (access-token expiry); null for keys without expiry. */
  expiresAt: Date | null;
}

/** The outcome of reading an operation's credentials: a viewer, or an error kept until it matters. */
export type Authentication = { viewer: Viewer | null; error: AppError | null };
