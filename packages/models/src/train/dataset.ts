import type { BarSeries } from '../bar-series';
import { featureVector } from '../logreg/features';

/** Labelled samples in time order: features of bar t (from the window ending at t) and whether bar t+1 closed higher. */
export interface Dataset {
  readonly xs: Float64Array[];
  /** 1 when the next close is higher, 0 when lower; bars whose next close is equal are left out. */
  readonly ys: number[];
  /** Index in the series of the bar each sample was read on. */
  readonly index: number[];
}

/** Builds the samples exactly as inference sees them: each from its own `windowBars`-bar window. */
export function buildDataset(series: BarSeries, windowBars: number): Dataset {
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  const index: number[] = [];
  for (let t = windowBars - 1; t < series.length - 1; t++) {
    const next = series.close[t + 1] as number;
    const now = series.close[t] as number;
    if (next === now) continue;
    const x = featureVector(series.slice(t - windowBars + 1, t + 1));
    if (x === null) continue;
    xs.push(x);
    ys.push(next > now ? 1 : 0);
    index.push(t);
  }
  return { xs, ys, index };
}
