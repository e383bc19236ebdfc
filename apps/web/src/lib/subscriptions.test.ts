import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Subscription } from '@neuronetiq/contracts';
import { activeSubscription, formatMonthlyPrice, mySubscriptions, subscriptionFailure } from './subscriptions';

const sub = (over: Partial<Subscription>): Subscription => ({
  id: '00000000-0000-4000-8000-000000000001',
  subscriber: 'bob',
  owner: 'alice',
  model_id: 'rsi',
  started_at: '2026-12-01T10:00:00.000Z',
  ended_at: null,
  status: 'active',
  past_due_since: null,
  provider: 'test',
  provider_ref: 'sub_test_1',
  ...over,
});

test('a price of 0 or none is "Free"; any other is GBP per month, exact to the penny', () => {
  assert.equal(formatMonthlyPrice('en-GB', 0), 'Free');
  assert.equal(formatMonthlyPrice('en-GB', null), 'Free');
  assert.equal(formatMonthlyPrice('en-GB', undefined), 'Free');
  assert.equal(formatMonthlyPrice('en-GB', 999), '£9.99 / month');
  assert.equal(formatMonthlyPrice('en-GB', 1), '£0.01 / month');
  assert.equal(formatMonthlyPrice('en-GB', 123_456), '£1,234.56 / month');
});

test("the viewer's active subscription is theirs, to that model, and not ended", () => {
  const subs = [
    sub({ id: '00000000-0000-4000-8000-00000000000a', ended_at: '2026-12-02T00:00:00.000Z' }),
    sub({ id: '00000000-0000-4000-8000-00000000000b', subscriber: 'carol' }),
    sub({ id: '00000000-0000-4000-8000-00000000000c', model_id: 'sma' }),
  ];
  assert.equal(activeSubscription(subs, 'bob', 'alice', 'rsi'), undefined, 'ended, someone else’s, other model');
  const live = sub({ id: '00000000-0000-4000-8000-00000000000d' });
  assert.equal(activeSubscription([...subs, live], 'bob', 'alice', 'rsi')?.id, live.id);
});

test("my subscriptions: only the viewer's, active before ended, newest first within each", () => {
  const list = mySubscriptions(
    [
      sub({ id: '00000000-0000-4000-8000-000000000001', started_at: '2026-12-01T00:00:00.000Z' }),
      sub({ id: '00000000-0000-4000-8000-000000000002', started_at: '2026-12-03T00:00:00.000Z', ended_at: 'x' }),
      sub({ id: '00000000-0000-4000-8000-000000000003', started_at: '2026-12-02T00:00:00.000Z' }),
      sub({ id: '00000000-0000-4000-8000-000000000004', subscriber: 'alice' }),
    ],
    'bob',
  );
  assert.deepEqual(
    list.map((s) => s.id.slice(-1)),
    ['3', '1', '2'],
  );
});

test("a refusal says the api's message for a 4xx, and never leaks a server error", () => {
  assert.equal(
    subscriptionFailure(409, 'You already subscribe to "alice/rsi"'),
    'You already subscribe to "alice/rsi"',
  );
  const declined =
    'Your card has insufficient funds (insufficient_funds). Nothing was charged and you are not subscribed: add funds or use another card, then try again.';
  assert.equal(subscriptionFailure(402, declined), declined, 'a declined payment says why and what to do');
  assert.equal(
    subscriptionFailure(404, 'Model "x" of owner "a" does not exist or is private'),
    'Model "x" of owner "a" does not exist or is private',
  );
  assert.equal(subscriptionFailure(401, 'jwt expired'), 'Your session ended. Sign in again.');
  assert.match(subscriptionFailure(500, 'TypeError: boom'), /^The subscription could not be changed/);
  assert.match(subscriptionFailure(null, null), /Nothing was charged/);
});
