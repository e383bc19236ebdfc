// `npm run train -- --data <csv> [--symbol EURUSD] [--tz …] [--resample 1h] [--folds 5] [--l2 1] [--threshold 0.02]
// [--out <json>]`. Fits logreg-001 walk-forward on historical bars, read by the importer of @neuronetiq/marketdata
// (its formats, clocks and checks), and writes its weights file with the data range and the out-of-sample hit rate.
// Deterministic: the same CSV and options give a byte-identical file.
import { writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type OhlcvBar, TimeframeSchema } from '@neuronetiq/contracts';
import { formatImportReport, ImportError, readCsv } from '@neuronetiq/marketdata';
import { BarSeries } from '../bar-series';
import type { LogregWeights } from '../builtin/logreg-001';
import { FEATURE_NAMES, FEATURE_WINDOW_BARS } from '../logreg/features';
import { buildDataset } from './dataset';
import { walkForward } from './walk-forward';

const USAGE =
  'usage: npm run train -- --data <csv> [--symbol EURUSD] [--tz <zone>] [--resample 1h] [--folds 5] [--l2 1] [--threshold 0.02] [--out <json>]';
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    symbol: { type: 'string' },
    tz: { type: 'string' },
    resample: { type: 'string' },
    folds: { type: 'string', default: '5' },
    l2: { type: 'string', default: '1' },
    threshold: { type: 'string', default: '0.02' },
    version: { type: 'string', default: '1.0.0' },
    out: { type: 'string', default: new URL('../logreg/logreg-001.weights.json', import.meta.url).pathname },
  },
});
if (!values.data) {
  console.error(USAGE);
  process.exit(2);
}

/** The instrument a file name names (`EURUSD.csv`, `DAT_ASCII_EURUSD_M1_201701.csv`), for the clock check. */
function symbolOf(file: string): string {
  const token = basename(file)
    .replace(/\.[^.]*$/, '')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .find((t) => /^[A-Z]{6,}$/.test(t));
  return token ?? 'DATA';
}

const timeframe = values.resample ? TimeframeSchema.parse(values.resample) : undefined;
let checked: Awaited<ReturnType<typeof readCsv>>;
try {
  checked = await readCsv(values.data, {
    symbol: values.symbol ?? symbolOf(values.data),
    tz: values.tz,
    resample: timeframe ? [timeframe] : [],
  });
} catch (err) {
  if (!(err instanceof ImportError)) throw err;
  console.error(`train: cannot read ${values.data}: ${err.message}`);
  process.exit(1);
}
const { report } = checked;
if (report.refused !== null) {
  console.error(`${formatImportReport(report)}
train: ${values.data} was not used (pass --tz)`);
  process.exit(1);
}
const byTimeframe = new Map<string, OhlcvBar[]>();
await checked.store(async (chunk) => {
  const tf = chunk[0]?.timeframe as string;
  byTimeframe.set(tf, [...(byTimeframe.get(tf) ?? []), ...chunk]);
});
const bars = byTimeframe.get(timeframe ?? report.timeframe) ?? [];
const series = BarSeries.fromBars(bars);
const data = buildDataset(series, FEATURE_WINDOW_BARS);
const options = { folds: Number(values.folds), l2: Number(values.l2), threshold: Number(values.threshold) };
const result = walkForward(data, options);
const last = result.folds.at(-1);
if (!last) throw new Error('walk-forward produced no fold');

const round = (v: number) => Number(v.toPrecision(12));
const ts = (sample: number) => series.barTsMs[data.index[sample] as number] as number;
const iso = (ms: number) => new Date(ms).toISOString();
const weights: LogregWeights = {
  model_id: 'logreg-001',
  version: values.version,
  features: [...FEATURE_NAMES],
  window_bars: FEATURE_WINDOW_BARS,
  threshold: options.threshold,
  mean: result.model.mean.map(round),
  std: result.model.std.map(round),
  weights: result.model.weights.map(round),
  bias: round(result.model.bias),
  training: {
    data: `${basename(dirname(resolve(values.data)))}/${basename(values.data)}`,
    format: report.format,
    clock: report.tz,
    resampled_to: timeframe ?? null,
    bars: bars.length,
    rejected_rows: report.rejected.count + report.duplicates.count,
    data_range: { from: bars[0]?.bar_ts, to: bars.at(-1)?.bar_ts },
    label: 'next bar close > this bar close (equal closes left out)',
    procedure: `expanding walk-forward, ${options.folds} folds over ${options.folds + 1} contiguous blocks, 1-bar embargo; L2-regularised logistic regression by Newton's method from zero weights (deterministic, no random seed involved)`,
    l2: options.l2,
    samples: data.xs.length,
    committed_weights: 'the last fold: trained on all samples before the final test block',
    train_range: { from: iso(ts(last.train.from)), to: iso(ts(last.train.to - 1)) },
    test_range: { from: iso(ts(last.test.from)), to: iso(ts(last.test.to - 1)) },
    out_of_sample: {
      hit_rate_committed_weights: round(last.hitRate),
      decisions_committed_weights: last.decisions,
      base_rate_up_final_block: round(last.baseRateUp),
      hit_rate_all_folds: round(result.hitRate),
      decisions_all_folds: result.decisions,
      coverage_all_folds: round(result.coverage),
    },
    folds: result.folds.map((f) => ({
      fold: f.fold,
      train: { from: iso(ts(f.train.from)), to: iso(ts(f.train.to - 1)) },
      test: { from: iso(ts(f.test.from)), to: iso(ts(f.test.to - 1)) },
      decisions: f.decisions,
      hit_rate: round(f.hitRate),
      coverage: round(f.coverage),
      base_rate_up: round(f.baseRateUp),
    })),
  },
};
writeFileSync(values.out, `${JSON.stringify(weights, null, 2)}\n`);
console.log(
  `${report.stored} bars read (${report.rejected.count} rows rejected, ${report.duplicates.count} duplicates), ${bars.length} used, ${data.xs.length} samples`,
);
for (const f of result.folds) {
  console.log(
    `fold ${f.fold}: train ${f.train.to} samples, test ${f.test.to - f.test.from}: hit rate ${(100 * f.hitRate).toFixed(1)}% on ${f.decisions} decisions (coverage ${(100 * f.coverage).toFixed(0)}%, up-rate ${(100 * f.baseRateUp).toFixed(1)}%)`,
  );
}
console.log(
  `out-of-sample hit rate, all folds: ${(100 * result.hitRate).toFixed(2)}% on ${result.decisions} decisions`,
);
console.log(`wrote ${values.out}`);
