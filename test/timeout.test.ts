import { afterEach, describe, expect, it } from 'vitest';
import { untilAborted } from '../src/timeout.js';
import { nextTurns } from './support/time.js';

describe('untilAborted', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('leaves no unhandled rejection when the task fails after its signal had aborted already', async () => {
    process.on('unhandledRejection', onUnhandled);
    const abandon = new AbortController();
    abandon.abort(new Error('left behind'));
    // The lock is granted after the refresh was abandoned: the task runs, and fails, unobserved.
    const task = Promise.reject(new Error('the session ended elsewhere'));
    await expect(untilAborted(task, abandon.signal)).rejects.toThrow('left behind');
    await nextTurns(); // an unhandled rejection is reported after the turn it happened in
    expect(unhandled).toEqual([]);
  });
});
