import { expect } from 'vitest';

/** Runs `fn` and returns what it throws, failing the test unless it is an instance of `type`. */
export function thrownBy<T>(fn: () => unknown, type: abstract new (...args: never[]) => T): T {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(type);
  return thrown as T;
}
