import { CLOCK_TOLERANCE_S } from './clock.js';
import type { AuthChecker } from 'type-graphql';
import type { RequestContext } from './context.js';
import { EmailNotVerifiedError, ForbiddenError, UnauthenticatedError } from './errors.js';
import type { Viewer } from './viewer.js';

/**
 * `@Authorized(...)` flags:
 * - (none): any signed-in viewer; an API key needs READ for queries, WRITE for mutations.
 * - ADMIN: the viewer is an admin.
 * - SESSION: a signed-in session only; no API key (account and key management).
 * - UNVERIFIED: allowed before the email is verified even when verification is required.
 */
export type AuthFlag = 'ADMIN' | 'SESSION' | 'UNVERIFIED';

export const authChecker: AuthChecker<RequestContext, AuthFlag> = ({ context, info }, flags) => {
  checkAccess(context, flags, info.operation.operation);
  return true;
};

/**
 * The same rules for code that runs outside a resolver: subscriptions check access once, when they
 * start (their socket closes on expiry or revocation), not on every delivered event.
 */
export function checkAccess(
  context: Pick<RequestContext, 'viewer' | 'error' | 'app'>,
  flags: AuthFlag[],
  operation: 'query' | 'mutation' | 'subscription',
): Viewer {
  const { viewer, error } = context;
  if (!viewer) throw error ?? new UnauthenticatedError();
  // The expiry was checked against the database's clock (keys, sessions) or within the JWT's skew
  // tolerance: a subscription's later check allows the same skew.
  if (viewer.expiresAt && viewer.expiresAt.getTime() + CLOCK_TOLERANCE_S * 1000 <= Date.now())
    throw new UnauthenticatedError('Credential expired');
  if (viewer.scopes) {
    if (flags.includes('SESSION')) throw new ForbiddenError('This operation needs a signed-in session, not an API key');
    const write = operation === 'mutation';
    if (write && !viewer.scopes.includes('WRITE')) throw new ForbiddenError('This API key lacks the WRITE scope');
  }
  if (context.app.config.REQUIRE_EMAIL_VERIFICATION && !viewer.user.emailVerifiedAt && !flags.includes('UNVERIFIED')) {
    throw new EmailNotVerifiedError();
  }
  if (flags.includes('ADMIN') && viewer.user.role !== 'ADMIN') throw new ForbiddenError('Admins only');
  return viewer;
}
