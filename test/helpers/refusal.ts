import { expect } from 'vitest';
import { SitterError } from '../../src/core/domain/errors.js';

/** The SitterError a call rejected with (the test fails if it resolved or threw anything else). */
export async function refusal(p: Promise<unknown>): Promise<SitterError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SitterError);
  return e as SitterError;
}
