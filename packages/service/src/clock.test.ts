import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock, every, systemClock } from './clock';

test('a sleep ends early and quietly when its signal aborts, on the system and the manual clock', async () => {
  const stop = new AbortController();
  const started = Date.now();
  const sleeping = systemClock.sleep(60_000, stop.signal);
  stop.abort();
  await sleeping;
  assert.ok(Date.now() - started < 1_000);
  const manual = createManualClock(0);
  const waiting = manual.sleep(1_000, stop.signal);
  await waiting;
  assert.deepEqual(manual.pending(), [], 'an aborted signal leaves no sleeper behind');
});

test('every() runs at once, then each interval after a run ends, keeps going after a failure, and stops on abort', async () => {
  const clock = createManualClock(0);
  const stop = new AbortController();
  const runs: number[] = [];
  const errors: unknown[] = [];
  const loop = every(
    1_000,
    async () => {
      runs.push(clock.now());
      if (runs.length === 2) throw new Error('transient');
    },
    { clock, signal: stop.signal, onError: (err) => errors.push(err) },
  );
  await clock.advanceTo(3_500);
  assert.deepEqual(runs, [0, 1_000, 2_000, 3_000]);
  assert.equal(errors.length, 1);
  stop.abort();
  await loop;
  await clock.advanceTo(10_000);
  assert.equal(runs.length, 4, 'no run after the abort');
});

test('every() with wakeEarly: a wake during a run cuts the following wait short', async () => {
  const clock = createManualClock(0);
  const stop = new AbortController();
  let wake: AbortController | undefined;
  const runs: number[] = [];
  const loop = every(
    60_000,
    async () => {
      runs.push(clock.now());
      if (runs.length === 1) wake?.abort();
    },
    {
      clock,
      signal: stop.signal,
      onError: () => {},
      wakeEarly: () => {
        wake = new AbortController();
        return wake.signal;
      },
    },
  );
  await clock.advanceTo(10);
  assert.deepEqual(runs, [0, 0], 'the wake that arrived during the first run started the second at once');
  stop.abort();
  await loop;
});
