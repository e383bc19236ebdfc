import { readdirSync } from 'node:fs';
import { importCsv } from './src/index';

const dir = '/work/shared/data/histdata-eurusd-m1/';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.csv'))
  .sort();
for (let k = 0; k < 5; k++) {
  const c0 = process.cpuUsage();
  let n = 0;
  for (const f of files)
    await importCsv(dir + f, { symbol: 'EURUSD', timeframe: '1m', tz: 'America/New_York' }, async (b) => {
      n += b.length;
    });
  const c = process.cpuUsage(c0);
  console.log(n, Math.round(n / ((c.user + c.system) / 1e6)), 'rows/cpu-s');
}
