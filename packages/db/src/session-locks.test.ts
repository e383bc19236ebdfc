import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listen, notify } from './notify';
import {
  advisoryUnlock,
  dropSessionLease,
  isSharedSessionBackend,
  openDedicatedSession,
  takeSessionLease,
  tryAdvisoryLock,
} from './session-locks';
import { createTestDatabase, type TestDatabase, testBackends } from './testing';

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const backend of testBackends()) {
  describe(`session locks and notifications on ${backend}`, () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase(backend, { migrate: false });
    });
    after(async () => {
      await tdb?.close();
    });

    test('isSharedSessionBackend is true exactly for the embedded database', async () => {
      assert.equal(await isSharedSessionBackend(tdb.url), backend === 'pglite');
    });

    test('a lease is held by one holder until it expires or is dropped, and renewed by its holder', async () => {
      const a = await openDedicatedSession(tdb.url);
      const b = await openDedicatedSession(tdb.url);
      try {
        const lease = { name: 'neuronetiq.test_lease', leaseMs: 60_000 };
        assert.equal(await takeSessionLease(a, { ...lease, holder: 'a' }), true);
        assert.equal(await takeSessionLease(a, { ...lease, holder: 'a' }), true, 'renewed');
        // On PostgreSQL the setting is per session, so b sees a free lease of its own: only the shared backend of
        // the embedded database makes it one register for everyone (the orchestrator uses leases only there).
        assert.equal(await takeSessionLease(b, { ...lease, holder: 'b' }), backend === 'postgres');
        await dropSessionLease(a, { name: lease.name, holder: 'a' });
        if (backend === 'pglite') assert.equal(await takeSessionLease(b, { ...lease, holder: 'b' }), true);
        // An expired lease goes to whoever asks next.
        assert.equal(await takeSessionLease(a, { name: 'neuronetiq.short', holder: 'a', leaseMs: 1 }), true);
        await new Promise((r) => setTimeout(r, 5));
        assert.equal(await takeSessionLease(a, { name: 'neuronetiq.short', holder: 'c', leaseMs: 1_000 }), true);
        await assert.rejects(takeSessionLease(a, { ...lease, holder: "x' OR '1" }), RangeError);
        await assert.rejects(takeSessionLease(a, { ...lease, name: 'bad name', holder: 'a' }), RangeError);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('an advisory lock excludes another session on PostgreSQL and is free again once released or its session ends', async (t) => {
      if (backend !== 'postgres') {
        t.skip('every connection shares one session on the embedded database: advisory locks exclude nobody there');
        return;
      }
      const a = await openDedicatedSession(tdb.url);
      const b = await openDedicatedSession(tdb.url);
      try {
        assert.equal(await tryAdvisoryLock(a, '424242'), true);
        assert.equal(await tryAdvisoryLock(b, '424242'), false);
        assert.equal(await advisoryUnlock(a, '424242'), true);
        assert.equal(await tryAdvisoryLock(b, '424242'), true);
        // A session that dies takes its lock with it, and says so.
        const c = await openDedicatedSession(tdb.url, { applicationName: 'nq-lock-c' });
        let lost: Error | undefined;
        c.onLost((err) => {
          lost = err;
        });
        assert.equal(await tryAdvisoryLock(c, '777'), true);
        assert.equal(await tryAdvisoryLock(a, '777'), false);
        await tdb.db.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nq-lock-c'`,
        );
        await waitFor('the session reports its loss', () => lost !== undefined);
        assert.equal(await tryAdvisoryLock(a, '777'), true);
        await c.close();
        await assert.rejects(tryAdvisoryLock(a, '1; DROP' as never), RangeError);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('listen delivers each notify on its channel, calls once after connecting, and stops when unlistened', async (t) => {
      if (backend !== 'postgres') {
        t.skip('notifications do not cross pglite-socket (DESIGN.md); the cron polls there');
        return;
      }
      const got: string[] = [];
      const unlisten = await listen(tdb.url, 'nq_test_channel', (payload) => got.push(payload));
      assert.deepEqual(got, [''], 'one call after connecting: anything announced before was missed');
      await notify(tdb.db, 'nq_test_channel', 'one');
      await notify(tdb.db, 'nq_other_channel', 'not for us');
      await notify(tdb.db, 'nq_test_channel', 'two');
      await waitFor('two notifications', () => got.length === 3);
      assert.deepEqual(got, ['', 'one', 'two']);
      await unlisten();
      await notify(tdb.db, 'nq_test_channel', 'three');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(got.length, 3);
      await assert.rejects(notify(tdb.db, 'Bad Channel'), RangeError);
    });
  });
}
