// `npm run bench -- query-layer`: why packages/db writes plain parameterised SQL instead of using a query builder.
// The same two statements of the signal path, on one PostgreSQL database, in one run, interleaved:
//   write: store 1,000 signals (upsert that rewrites a row only while its bar is open and only when it changed) —
//          our repository (one INSERT … SELECT FROM unnest($1::text[], …), 10 array parameters) against Kysely's
//          insertInto().values(rows).onConflict() (one multi-row VALUES, 11 parameters per row);
//   read:  the newest 100 signals of one owner and series — our repository's find() against Kysely's selectFrom().
// Kysely (MIT) is a devDependency of the bench only.
import { randomBytes } from 'node:crypto';
import type { SignalPayload } from '@neuronetiq/contracts';
import { createDb, migrate, repos } from '@neuronetiq/db';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { machine, median, writeSection } from './report';
import { makeSignal } from './support/signals';

const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = Number(process.argv[2] ?? 15);
const ROWS = 1000;

const name = `nq_bench_ql_${randomBytes(4).toString('hex')}`;
const admin = createDb(server, { max: 1 });
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(server);
url.pathname = `/${name}`;
const db = createDb(url.toString(), { max: 2 });
// biome-ignore lint/suspicious/noExplicitAny: the bench addresses tables by name; a schema type would add nothing here
const kysely = new Kysely<any>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 2 }) }),
});

const batch = (owner: string): SignalPayload[] => Array.from({ length: ROWS }, () => makeSignal(owner));

const receivedAtMs = Date.UTC(2026, 0, 1);
const ours = {
  write: (rows: SignalPayload[]) => repos.signals.store(db, rows, { receivedAtMs }),
  read: (owner: string) => repos.signals.find(db, { owner, symbol: 'EURUSD', tf: '1m', limit: 100 }),
};
const builder = {
  write: (rows: SignalPayload[]) => {
    const received = new Date(receivedAtMs).toISOString();
    return kysely
      .withSchema('ml')
      .insertInto('signals_latest')
      .values(
        rows.map((r) => ({
          owner: r.owner,
          model_id: r.model_id,
          symbol: r.symbol,
          timeframe: r.timeframe,
          bar_ts: r.bar_ts,
          decision: r.decision,
          confidence: r.confidence,
          meta: JSON.stringify(r.meta),
          received_at: received,
          late: false,
          updated_at: received,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['owner', 'model_id', 'symbol', 'timeframe', 'bar_ts'])
          .doUpdateSet((eb) => ({
            decision: eb.ref('excluded.decision'),
            confidence: eb.ref('excluded.confidence'),
            meta: eb.ref('excluded.meta'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          .where(sql<boolean>`not excluded.late`)
          .where(
            sql<boolean>`(signals_latest.decision, signals_latest.confidence, signals_latest.meta) is distinct from (excluded.decision, excluded.confidence, excluded.meta)`,
          ),
      )
      .execute();
  },
  read: (owner: string) =>
    kysely
      .withSchema('ml')
      .selectFrom('signals_latest')
      .select([
        'owner',
        'model_id',
        'symbol',
        'timeframe',
        'bar_ts',
        'decision',
        sql<number>`confidence::float8`.as('confidence'),
        'meta',
        'received_at',
        'late',
      ])
      .where('owner', '=', owner)
      .where('symbol', '=', 'EURUSD')
      .where('timeframe', '=', '1m')
      .orderBy('bar_ts', 'desc')
      .orderBy('model_id')
      .limit(100)
      .execute(),
};

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

try {
  await migrate(db);
  const samples = { ourWrite: [] as number[], kWrite: [] as number[], ourRead: [] as number[], kRead: [] as number[] };
  const ownerA = 'ql-ours';
  const ownerB = 'ql-kysely';
  // Warm-up: JIT, prepared statements, the pool.
  for (let i = 0; i < 3; i++) {
    await ours.write(batch(ownerA));
    await builder.write(batch(ownerB));
    await ours.read(ownerA);
    await builder.read(ownerB);
  }
  for (let r = 0; r < ROUNDS; r++) {
    const [a, b] = [batch(ownerA), batch(ownerB)];
    if (r % 2 === 0) {
      samples.ourWrite.push(await time(() => ours.write(a)));
      samples.kWrite.push(await time(() => builder.write(b)));
    } else {
      samples.kWrite.push(await time(() => builder.write(b)));
      samples.ourWrite.push(await time(() => ours.write(a)));
    }
    for (let k = 0; k < 10; k++) {
      samples.ourRead.push(await time(() => ours.read(ownerA)));
      samples.kRead.push(await time(() => builder.read(ownerB)));
    }
  }
  const [ow, kw, or, kr] = [samples.ourWrite, samples.kWrite, samples.ourRead, samples.kRead].map(median) as [
    number,
    number,
    number,
    number,
  ];
  const lines = [
    '## Query layer (`npm run bench -- query-layer`)',
    '',
    `Why \`packages/db\` writes plain parameterised SQL in repositories rather than using Kysely or Drizzle: the same two statements of the signal path through our repository and through Kysely ${JSON.parse((await import('node:fs')).readFileSync(new URL('../node_modules/kysely/package.json', import.meta.url), 'utf8')).version}'s builder, on one PostgreSQL 15 database, interleaved; medians of ${ROUNDS} rounds (writes) and ${ROUNDS * 10} (reads) after a warm-up. Machine: ${machine()}.`,
    '',
    '| statement | ours (ms) | Kysely (ms) | Kysely ÷ ours |',
    '|---|--:|--:|--:|',
    `| store 1,000 signals (upsert, immutable after the close) | ${ow.toFixed(2)} | ${kw.toFixed(2)} | ${(kw / ow).toFixed(2)}× |`,
    `| newest 100 signals of one owner and series | ${or.toFixed(2)} | ${kr.toFixed(2)} | ${(kr / or).toFixed(2)}× |`,
    '',
    `The write is where the choice matters: a builder emits one multi-row \`VALUES\` with a bind parameter per cell (11,000 here) that PostgreSQL must parse and plan per batch size, while \`unnest\` of ten typed arrays is one fixed statement, prepared once per connection. The statements the api needs — \`ON CONFLICT … DO UPDATE … WHERE\` with a row comparison, the \`xmin\` classification of skipped rows, \`SET LOCAL ROLE\` and claims in the same round trip as \`BEGIN\` — would be \`sql\` template fragments inside a builder anyway. On reads the builder costs ${((kr / or - 1) * 100).toFixed(0)}% more here; repositories keep every statement in one readable place (\`packages/db/src/repositories\`), so nothing is lost by not using one.`,
  ];
  console.log(lines.join('\n'));
  writeSection('query-layer', lines.join('\n'));
} finally {
  await kysely.destroy();
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
