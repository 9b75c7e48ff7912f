import { describe, expect, it } from 'vitest';
import { checkedDatabaseUrl, maskedDatabaseUrl } from '../../src/core/store/database-url.js';
import { SitterError } from '../../src/core/domain/errors.js';

function refusal(value: string): SitterError {
  try {
    checkedDatabaseUrl(value);
  } catch (error) {
    if (error instanceof SitterError) return error;
    throw error;
  }
  throw new Error(`${value} was accepted`);
}

describe('database URLs: no password recorded or shown', () => {
  it.each([
    ['postgres://u:se/cret@127.0.0.1:55432/db', 'postgres://***@127.0.0.1:55432/db'],
    ['postgres://u:p@ss@127.0.0.1:notaport/db', 'postgres://***@127.0.0.1:notaport/db'],
    ['postgres://u:a@b@c@127.0.0.1:x/db?sslmode=y', 'postgres://***@127.0.0.1:x/db?sslmode=y'],
    ['postgres://u:p#w@127.0.0.1:x/db', 'postgres://***@127.0.0.1:x/db'],
    ['postgres://u:secret', 'postgres://u:***'],
    ['postgres://u:secret/db', 'postgres://u:***/db'],
    ['postgres://host:port/db?x=1&password=se/cret&y=2', 'postgres://host:***/db?x=1&password=***&y=2'],
    ['postgres://host:port/db?SSLPASSWORD=s3cret', 'postgres://host:***/db?SSLPASSWORD=***'],
    ['u:secret@host/db', '***@host/db'],
    ['not a url', 'not a url'],
  ])('DATABASE_URL_INVALID shows %s as %s', (bad, shown) => {
    expect(maskedDatabaseUrl(bad)).toBe(shown);
    const error = refusal(bad);
    expect(error.code).toBe('DATABASE_URL_INVALID');
    expect(error.message).toContain(`"${shown}"`);
    expect(error.message).not.toMatch(/secret|s3cret|p@ss|se\/cret|a@b/);
  });

  it.each([
    'postgres://u:pw@host:5432/db',
    'postgres://u@host:5432/db?password=pw',
    'postgres://u@host:5432/db?sslmode=require&sslpassword=pw',
    'postgresql://u@host/db?Password=pw',
  ])('%s is DATABASE_PASSWORD_IN_URL, naming no password', (url) => {
    const error = refusal(url);
    expect(error.code).toBe('DATABASE_PASSWORD_IN_URL');
    expect(error.message + error.hint).not.toContain('=pw');
    expect(error.hint).toMatch(/PGPASSWORD/);
    expect(error.hint).toMatch(/pgpass/);
  });

  it('keeps the allowed options and refuses any other (host=, user=, an unknown one)', () => {
    expect(
      checkedDatabaseUrl('postgres://u@h:5433/db?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=s'),
    ).toBe('postgres://u@h:5433/db?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=s');
    for (const url of ['postgres://u@h/db?host=/tmp', 'postgres://u@h/db?user=admin', 'postgres://u@h/db?whatever=1']) {
      const error = refusal(url);
      expect(error.code, url).toBe('DATABASE_URL_OPTION_UNSUPPORTED');
      expect(error.hint).toContain('sslmode');
    }
  });
});
