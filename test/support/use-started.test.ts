/**
 * test/support/use-started.ts, under useDovecot, useSmtpSink and useTwilioFake: the stand-in
 * refuses use before its beforeAll, forwards reads (methods bound) and writes to what was
 * started, and what was started is stopped after the block. No server: a plain object.
 */
import { describe, expect, it } from 'vitest';
import { useStarted } from './use-started.js';

class Counter {
  count = 0;
  limit?: number;
  #step = 1;
  bump(): number {
    this.count += this.#step; // a private field: works only with `this` the started object
    return this.count;
  }
}

const events: string[] = [];

describe('useStarted', () => {
  let collectionError: unknown;
  const counter = useStarted(
    'the counter',
    async () => {
      events.push('start');
      return new Counter();
    },
    async () => {
      events.push('stop');
    },
  );
  try {
    void counter.count;
  } catch (err) {
    collectionError = err;
  }

  it('throws, naming what it stands for, when touched before the beforeAll ran', () => {
    expect(collectionError).toBeInstanceOf(Error);
    expect((collectionError as Error).message).toMatch(/^the counter is not started yet \(reading count\)/);
  });

  it('forwards reads, method calls (bound to the started object) and writes', () => {
    expect(events).toEqual(['start']);
    const bump = counter.bump;
    expect(bump()).toBe(1);
    expect(counter.count).toBe(1);
    counter.limit = 5;
    counter.count = 10;
    expect(counter.bump()).toBe(11);
    expect(counter.limit).toBe(5);
  });
});

describe('after the block', () => {
  it('the started object was stopped once', () => {
    expect(events).toEqual(['start', 'stop']);
  });
});
