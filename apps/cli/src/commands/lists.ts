import type { StoredConsensus, StoredSignal, Timeframe } from '@neuronetiq/contracts';
import type { Context } from '../context';
import { table } from '../output';

export interface ListOptions {
  model?: string;
  symbol?: string;
  tf?: Timeframe;
  from?: string;
  to?: string;
  limit: number;
}

const range = (o: ListOptions) => ({
  ...(o.symbol ? { symbol: o.symbol } : {}),
  ...(o.tf ? { tf: o.tf } : {}),
  ...(o.from ? { from: o.from } : {}),
  ...(o.to ? { to: o.to } : {}),
  limit: o.limit,
});

/** `mp signals list`: your stored signals, newest first. */
export async function listSignals(ctx: Context, o: ListOptions): Promise<void> {
  const signals = await ctx.client().listSignals({ ...range(o), ...(o.model ? { model_id: o.model } : {}) });
  ctx.out.data(signals);
  ctx.out.say(
    signals.length
      ? table(signals, [
          { header: 'bar', value: (s: StoredSignal) => s.bar_ts },
          { header: 'model', value: (s) => s.model_id },
          { header: 'symbol', value: (s) => s.symbol },
          { header: 'tf', value: (s) => s.timeframe },
          { header: 'decision', value: (s) => s.decision },
          { header: 'confidence', value: (s) => s.confidence, align: 'right' },
          { header: 'late', value: (s) => (s.late ? 'late' : '') },
        ])
      : 'no signals match; push one with `mp signals push`',
  );
}

/** `mp consensus list`. */
export async function listConsensus(ctx: Context, o: ListOptions & { owner?: string }): Promise<void> {
  const rows = await ctx.client().listConsensus({ ...range(o), ...(o.owner ? { owner: o.owner } : {}) });
  ctx.out.data(rows);
  ctx.out.say(
    rows.length
      ? table(rows, [
          { header: 'bar', value: (c: StoredConsensus) => c.bar_ts },
          { header: 'owner', value: (c) => c.owner },
          { header: 'symbol', value: (c) => c.symbol },
          { header: 'tf', value: (c) => c.timeframe },
          { header: 'decision', value: (c) => c.decision },
          { header: 'confidence', value: (c) => c.confidence, align: 'right' },
          { header: 'models', value: (c) => c.contributors.length, align: 'right' },
        ])
      : 'no consensus rows match',
  );
}
