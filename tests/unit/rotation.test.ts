import { describe, expect, it } from 'vitest';
import { rotationDecision, successorOf } from '../../src/modules/accounts/tokens.js';

describe('refresh-token rotation', () => {
  const secret = new TextEncoder().encode('s'.repeat(40));
  it('rotates a token never exchanged, replays one exchanged within the grace window, revokes later', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(rotationDecision(null, now, 10)).toBe('rotate');
    expect(rotationDecision(new Date(now - 10_000), now, 10)).toBe('replay');
    expect(rotationDecision(new Date(now - 10_001), now, 10)).toBe('reuse');
    expect(rotationDecision(new Date(now - 1), now, 0)).toBe('reuse');
  });

  it('gives each token one successor, unguessable without the secret', () => {
    expect(successorOf(secret, 'token-a')).toBe(successorOf(secret, 'token-a'));
    expect(successorOf(secret, 'token-a')).not.toBe(successorOf(secret, 'token-b'));
    expect(successorOf(new TextEncoder().encode('t'.repeat(40)), 'token-a')).not.toBe(successorOf(secret, 'token-a'));
    expect(successorOf(secret, 'token-a')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
