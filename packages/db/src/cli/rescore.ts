// `npm run db:rescore`: deletes every signal score and computes all of them again from the raw rows (signals, bars,
// ml.score_horizons) on DATABASE_URL, or on the embedded database under EMBEDDED_DATA_DIR when it is unset, in one
// transaction. Run it after changing the horizons; otherwise it reproduces what the incremental scoring already holds.
import { repos } from '../repositories/index';
import { openCliDatabase } from './database';

const { db, close } = await openCliDatabase('rescore');
try {
  const started = Date.now();
  const rows = await repos.performance.rescoreAll(db);
  console.log(`rescored: ${rows} score rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`rescore failed, the scores are as they were: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await close();
}
