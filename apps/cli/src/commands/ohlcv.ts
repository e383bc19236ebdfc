import { createWriteStream } from 'node:fs';
import { OHLCV_LIMIT_MAX, type StoredBar, type Timeframe } from '@neuronetiq/contracts';
import cliProgress from 'cli-progress';
import type { Context } from '../context';

/**
 * `mp ohlcv get`: bars of one series, oldest first, as CSV or JSON. The api answers at most 5,000 bars per request,
 * newest first; long ranges are read page by page backwards from `to`.
 */
export async function getOhlcv(
  ctx: Context,
  o: {
    symbol: string;
    tf: Timeframe;
    from?: string;
    to?: string;
    limit: number;
    format: 'csv' | 'json';
    output?: string;
  },
): Promise<void> {
  const client = ctx.client();
  const pages: StoredBar[][] = [];
  let remaining = o.limit;
  let to = o.to;
  const bar =
    ctx.out.interactive && o.limit > OHLCV_LIMIT_MAX
      ? new cliProgress.SingleBar({ stream: process.stderr, format: 'fetching {value} bars', hideCursor: true })
      : null;
  bar?.start(o.limit, 0);
  let fetched = 0;
  while (remaining > 0) {
    const want = Math.min(OHLCV_LIMIT_MAX, remaining);
    const page = await client.getBars({
      symbol: o.symbol,
      tf: o.tf,
      limit: want,
      ...(o.from ? { from: o.from } : {}),
      ...(to ? { to } : {}),
    });
    pages.push(page);
    fetched += page.length;
    bar?.update(fetched);
    remaining -= page.length;
    const oldest = page[page.length - 1];
    if (page.length < want || !oldest) break;
    to = new Date(Date.parse(oldest.bar_ts) - 1).toISOString();
  }
  bar?.stop();
  const bars = pages.flat().reverse();
  const sink = o.output ? createWriteStream(o.output) : null;
  const write = (s: string) => (sink ? sink.write(s) : ctx.out.streams.stdout.write(s));
  if (o.format === 'json' || (ctx.out.json && !o.output)) {
    write(
      `${JSON.stringify(bars.map((b) => ({ bar_ts: b.bar_ts, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume })))}\n`,
    );
  } else {
    write('bar_ts,open,high,low,close,volume\n');
    for (const b of bars) write(`${b.bar_ts},${b.open},${b.high},${b.low},${b.close},${b.volume ?? ''}\n`);
  }
  if (sink) {
    await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
    ctx.out.note(`wrote ${bars.length} ${o.symbol} ${o.tf} bars to ${o.output}`);
  } else if (bars.length === 0) {
    ctx.out.note(`no ${o.symbol} ${o.tf} bars in that range`);
  }
}
