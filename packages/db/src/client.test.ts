import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { createDb, escapeLiteral } from './client';
import { createTestDatabase, testBackends } from './testing';

for (const backend of testBackends()) {
  describe(`db client [${backend}]`, () => {
    test('200 concurrent parameterised statements outside transactions each get their own answer', async () => {
      const t = await createTestDatabase(backend, { migrate: false });
      try {
        const answers = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            t.db.query<{ i: number; s: string }>('SELECT $1::int AS i, repeat($2::text, $1::int % 7) AS s', [i, 'x']),
          ),
        );
        for (const [i, rows] of answers.entries()) assert.deepEqual(rows, [{ i, s: 'x'.repeat(i % 7) }]);
      } finally {
        await t.close();
      }
    });

    test('a transaction that throws is rolled back and its error reaches the caller', async () => {
      const t = await createTestDatabase(backend, { migrate: false });
      try {
        await t.db.query('CREATE TABLE tx_probe (x int)');
        await assert.rejects(
          t.db.transaction(async (tx) => {
            await tx.query('INSERT INTO tx_probe VALUES (1)');
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual(await t.db.query('SELECT count(*)::int AS n FROM tx_probe'), [{ n: 0 }]);
      } finally {
        await t.close();
      }
    });
  });
}

describe('prepared statements on PostgreSQL', () => {
  test('named by default, and never with prepare: false (for transaction-mode poolers)', async (t) => {
    if (!testBackends().includes('postgres')) {
      t.skip('needs DATABASE_URL: the embedded database never uses named statements');
      return;
    }
    const database = await createTestDatabase('postgres', { migrate: false });
    const named = async (prepare: boolean) => {
      const db = createDb(database.url, { max: 1, prepare });
      try {
        assert.deepEqual(await db.query('SELECT $1::int AS n', [7]), [{ n: 7 }]);
        const [row] = await db.query<{ n: number }>('SELECT count(*) AS n FROM pg_prepared_statements');
        return row?.n;
      } finally {
        await db.end();
      }
    };
    try {
      assert.equal(await named(true), 1);
      assert.equal(await named(false), 0);
    } finally {
      await database.close();
    }
  });
});

describe('parameters inlined into a request transaction (simple protocol)', () => {
  test("literals are the driver's escapeLiteral to the character, for any text", async () => {
    const fc = (await import('fast-check')).default;
    const unit = fc.constantFrom("'", '\\', 'E', ' ', 'a', '\u00e9', '\ud83d', '"', '$');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit })), (s) => {
        assert.equal(escapeLiteral(s), pg.escapeLiteral(s));
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  test('any text and JSON value round-trips exactly: escaped as by the driver, nothing is injected', async () => {
    const fc = (await import('fast-check')).default;
    const t = await createTestDatabase('pglite', { migrate: true });
    try {
      const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replaceAll('\u0000', ''));
      await fc.assert(
        fc.asyncProperty(
          text,
          fc.array(fc.option(text, { nil: null }), { maxLength: 5 }),
          fc.jsonValue(),
          async (s, arr, json) => {
            const [row] = await t.db.asRequest({ role: 'service_role', claims: { note: s } }, (tx) =>
              tx.query<{ s: string; a: (string | null)[]; j: unknown; claims: string }>(
                `SELECT $1::text AS s, $2::text[] AS a, $3::jsonb AS j, current_setting('request.jwt.claims') AS claims`,
                [s, arr, JSON.stringify(json)],
                { commit: true },
              ),
            );
            assert.equal(row?.s, s);
            assert.deepEqual(row?.a, arr);
            assert.deepEqual(row?.j, JSON.parse(JSON.stringify(json).replaceAll('\\u0000', '')));
            assert.equal(JSON.parse(row?.claims ?? '{}').note, s);
          },
        ),
        { numRuns: 300, seed: 7 },
      );
    } finally {
      await t.close();
    }
  });
});

describe('a connection the server ends while a caller holds it (a PostgreSQL restart)', () => {
  test('fails that transaction or request with a connection error, never the process; the next query works', async (t) => {
    if (!testBackends().includes('postgres')) {
      t.skip('needs DATABASE_URL: PGlite has no backends to terminate');
      return;
    }
    const database = await createTestDatabase('postgres', { migrate: false });
    const db = createDb(database.url, { max: 2, applicationName: 'nq-terminated-probe' });
    // What a restart does to every backend: FATAL 57P01 arrives on a connection with no query running.
    const terminate = () =>
      database.db.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nq-terminated-probe'",
      );
    try {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('SELECT 1');
          await terminate();
          await new Promise((r) => setTimeout(r, 300));
          await tx.query('SELECT 1');
        }),
        (err: Error) => /terminat|Connection|not queryable/i.test(err.message),
      );
      await assert.rejects(
        db.asRequest({ role: 'service_role', claims: {} }, async (tx) => {
          await tx.query('SELECT 1');
          await terminate();
          await new Promise((r) => setTimeout(r, 300));
          await tx.query('SELECT 1');
        }),
        (err: Error) => /terminat|Connection|not queryable/i.test(err.message),
      );
      assert.deepEqual(await db.query('SELECT 2 AS n'), [{ n: 2 }]);
    } finally {
      await db.end();
      await database.close();
    }
  });
});
