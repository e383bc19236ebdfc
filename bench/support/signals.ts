// The signals the write benchmarks store: 50 models per bar on EURUSD 1m from 2026-01-01, every key distinct.
import type { SignalPayload } from '@neuronetiq/contracts';

let seq = 0;
const barTs = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();

/** The next signal of `owner` (a process-wide sequence, so no two calls share a key). */
export function makeSignal(owner: string): SignalPayload {
  const i = seq++;
  return {
    owner,
    model_id: `m-${i % 50}`,
    symbol: 'EURUSD',
    timeframe: '1m',
    bar_ts: barTs(Math.floor(i / 50)),
    decision: (['BUY', 'SELL', 'NEUTRAL'] as const)[i % 3] as SignalPayload['decision'],
    confidence: (i % 100) / 100,
    meta: { rsi: 30 + (i % 40) },
  };
}
