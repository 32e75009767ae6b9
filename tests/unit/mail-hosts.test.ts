import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/modules/mail/hosts.js';
import { loadConfig } from '../../src/shared/config.js';
import { parseSecretsKey } from '../../src/shared/secrets.js';

describe('mail hosts', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.9.9.9', true],
    ['10.0.0.1', true],
    ['172.16.5.4', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd12:3456::1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['not-an-address', true],
  ])('%s is private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('SECRETS_KEY', () => {
  it('is exactly 32 bytes in hex or base64, nothing looser', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(parseSecretsKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseSecretsKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseSecretsKey(bytes.toString('base64url'))).toEqual(bytes);
    for (const bad of [
      '',
      'abc',
      'x'.repeat(44),
      bytes.toString('hex').slice(2),
      Buffer.alloc(31).toString('base64'),
      `${bytes.toString('base64')}==`,
      `${bytes.toString('hex')} `,
    ])
      expect(parseSecretsKey(bad), bad).toBeNull();
  });

  it('is required with DATABASE_URL, and refused in one clear line when malformed', () => {
    const base = { NODE_ENV: 'development', DATA_DIR: 'memory://' };
    expect(() => loadConfig({ ...base, DATABASE_URL: 'postgres://x@127.0.0.1/db' })).toThrow(
      /SECRETS_KEY: required when DATABASE_URL is set/,
    );
    expect(() => loadConfig({ ...base, SECRETS_KEY: 'short' })).toThrow(/SECRETS_KEY: must be 32 bytes/);
    expect(
      loadConfig({ ...base, DATABASE_URL: 'postgres://x@127.0.0.1/db', SECRETS_KEY: 'ab'.repeat(32) }).secretsKey,
    ).toHaveLength(32);
  });
});
