import { CLOCK_TOLERANCE_S } from '../../shared/clock.js';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  expiresAt: Date;
}

export interface TokenSettings {
  secret: Uint8Array;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

const ALG = 'HS256';

/** jose is loaded with the first token signed or verified, not while the server starts. */
let joseModule: Promise<typeof import('jose')> | undefined;
const jose = () => (joseModule ??= import('jose'));

export async function signAccessToken(s: TokenSettings, userId: string, sessionId: string) {
  const { SignJWT } = await jose();
  const expiresAt = new Date(Date.now() + s.ttlSeconds * 1000);
  const token = await new SignJWT({ sid: sessionId, typ: 'access' })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(s.secret);
  return { token, expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000) };
}

/** Verifies signature (HS256 only), issuer, audience, expiry and every required claim; null if any fails. */
export async function verifyAccessToken(s: TokenSettings, token: string): Promise<AccessClaims | null> {
  const { jwtVerify } = await jose();
  try {
    const { payload } = await jwtVerify(token, s.secret, {
      algorithms: [ALG],
      issuer: s.issuer,
      audience: s.audience,
      requiredClaims: ['sub', 'sid', 'typ', 'exp', 'iat'],
      // Another replica signed it: its clock may differ from this one's.
      clockTolerance: CLOCK_TOLERANCE_S,
    });
    if (payload.typ !== 'access' || typeof payload.sid !== 'string' || typeof payload.sub !== 'string') return null;
    return { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp! * 1000) };
  } catch {
    return null;
  }
}

/** 256 random bits, URL-safe. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The one refresh token that replaces `token`: derived with the server's secret, so it is as
 * unguessable as a random token, and the same however often `token` is exchanged.
 */
export function successorOf(secret: Uint8Array, token: string): string {
  return createHmac('sha256', secret).update(`refresh-successor:${token}`).digest('base64url');
}

/**
 * What presenting a refresh token does: `rotate` a token never exchanged; `replay` one exchanged
 * within the grace window (the same successor again); `reuse` one exchanged before that (the
 * session is revoked).
 */
export function rotationDecision(
  rotatedAt: Date | null,
  now: number,
  graceSeconds: number,
): 'rotate' | 'replay' | 'reuse' {
  if (!rotatedAt) return 'rotate';
  return now - rotatedAt.getTime() > graceSeconds * 1000 ? 'reuse' : 'replay';
}
