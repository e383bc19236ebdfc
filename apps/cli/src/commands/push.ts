import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  idempotencyKeyFor,
  SIGNAL_BATCH_MAX,
  type SignalPayload,
  SignalPayloadSchema,
  TIMEFRAME_MS,
  type Timeframe,
  zodIssuesToDetails,
} from '@neuronetiq/contracts';
import cliProgress from 'cli-progress';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Context } from '../context';
import { CliError } from '../output';

/** The open time of the bar in progress on `tf` at `nowMs`: what a signal pushed now is for. */
export const barInProgress = (tf: Timeframe, nowMs: number) =>
  new Date(Math.floor(nowMs / TIMEFRAME_MS[tf]) * TIMEFRAME_MS[tf]).toISOString();

/**
 * The Idempotency-Key of a single push: the seed's key of the signal (owner, model, series, bar) plus a digest of
 * what it says, so a retry of the same call replays while a changed call for a bar still open is a new request (the
 * api answers 422 to one key with two bodies).
 */
export const signalIdempotencyKey = (signal: SignalPayload): string =>
  `${idempotencyKeyFor(signal)}:${createHash('sha256')
    .update(JSON.stringify([signal.decision, signal.confidence, signal.meta]))
    .digest('hex')
    .slice(0, 16)}`;

function firstProblem(error: import('zod').ZodError, input: unknown): string {
  const d = zodIssuesToDetails(error, input)[0];
  return d ? `${d.path || 'row'}: ${d.message}` : 'invalid';
}

/** `mp signals push --model … --symbol … --tf … --decision … --confidence …`: one signal. */
export async function pushOne(
  ctx: Context,
  o: {
    model: string;
    symbol: string;
    tf: Timeframe;
    decision: string;
    confidence: number;
    barTs?: string;
    meta?: string;
  },
): Promise<void> {
  let meta: unknown = {};
  if (o.meta !== undefined) {
    try {
      meta = JSON.parse(o.meta);
    } catch {
      throw new CliError(`--meta must be a JSON object, e.g. '{"rsi":28.1}'`, 2);
    }
  }
  const owner = await ctx.owner();
  const input = {
    owner,
    model_id: o.model,
    symbol: o.symbol,
    timeframe: o.tf,
    bar_ts: o.barTs ?? barInProgress(o.tf, Date.now()),
    decision: o.decision,
    confidence: o.confidence,
    meta,
  };
  const parsed = SignalPayloadSchema.safeParse(input);
  if (!parsed.success) throw new CliError(`the signal is invalid (${firstProblem(parsed.error, input)})`, 2);
  const signal = parsed.data;
  const key = signalIdempotencyKey(signal);
  await ctx.client().storeSignal(signal, key);
  const lateMs = Date.now() - (Date.parse(signal.bar_ts) + TIMEFRAME_MS[signal.timeframe]);
  ctx.out.data({ ...signal, idempotency_key: key, late: lateMs > 0 });
  ctx.out.say(
    `${ctx.out.green('✓')} ${signal.decision} ${signal.symbol} ${signal.timeframe} at ${signal.confidence} for the bar of ${signal.bar_ts} by ${owner}/${signal.model_id}${lateMs > 0 ? ' (late: that bar had closed, so it is kept but never scored)' : ''}`,
  );
}

interface Row {
  line: number;
  raw: Record<string, unknown>;
}

function readRows(file: string): Row[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the path`);
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    const rows: Row[] = [];
    text.split(/\r?\n/).forEach((l, i) => {
      if (l.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(l);
      } catch {
        raw = { __error: 'not valid JSON' };
      }
      rows.push({
        line: i + 1,
        raw:
          raw && typeof raw === 'object' && !Array.isArray(raw)
            ? (raw as Record<string, unknown>)
            : { __error: 'not a JSON object' },
      });
    });
    return rows;
  }
  if (ext === '.csv') {
    let records: { record: Record<string, string>; info: { lines: number } }[];
    try {
      records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true });
    } catch (err) {
      throw new CliError(`${file} is not a readable CSV (${(err as Error).message}); fix it and run again`);
    }
    return records.map(({ record, info }) => {
      const raw: Record<string, unknown> = { ...record };
      if (record.confidence !== undefined && record.confidence !== '') raw.confidence = Number(record.confidence);
      if (record.meta !== undefined) {
        try {
          raw.meta = record.meta === '' ? {} : JSON.parse(record.meta);
        } catch {
          raw.__error = 'meta: not valid JSON';
        }
      }
      return { line: info.lines, raw };
    });
  }
  throw new CliError(`--file must end in .csv or .jsonl (got "${ext || 'no extension'}")`, 2);
}

export interface PushSummary {
  accepted: number;
  replayed: number;
  rejected: number;
  rejections: { line: number; reason: string }[];
}

/**
 * `mp signals push --file signals.csv|signals.jsonl`: validates every row with the contracts, sends the good ones in
 * batches of up to 1,000, and reports accepted, replayed (already stored, identical: re-running a file is harmless)
 * and rejected rows with their line numbers. Each row's idempotency key (owner, model, series, bar) is its identity:
 * two rows of one file with the same key are a mistake, reported rather than sent.
 */
export async function pushFile(ctx: Context, o: { file: string; model?: string }): Promise<void> {
  const rows = readRows(o.file);
  if (rows.length === 0) throw new CliError(`${o.file} has no rows; add signals and run again`);
  const owner = await ctx.owner();
  const summary: PushSummary = { accepted: 0, replayed: 0, rejected: 0, rejections: [] };
  const reject = (line: number, reason: string) => {
    summary.rejected++;
    summary.rejections.push({ line, reason });
  };
  const valid: { line: number; signal: SignalPayload }[] = [];
  const seen = new Map<string, number>();
  for (const { line, raw } of rows) {
    if (typeof raw.__error === 'string') {
      reject(line, raw.__error);
      continue;
    }
    const { __error: _e, tf, model, ...rest } = raw;
    const input = {
      meta: {},
      ...rest,
      owner: rest.owner ?? owner,
      model_id: rest.model_id ?? model ?? o.model,
      timeframe: rest.timeframe ?? tf,
    };
    const parsed = SignalPayloadSchema.safeParse(input);
    if (!parsed.success) {
      reject(line, firstProblem(parsed.error, input));
      continue;
    }
    const key = idempotencyKeyFor(parsed.data);
    const first = seen.get(key);
    if (first !== undefined) {
      reject(line, `same model, series and bar as line ${first} (idempotency key ${key})`);
      continue;
    }
    seen.set(key, line);
    valid.push({ line, signal: parsed.data });
  }

  const bar = ctx.out.interactive
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: 'pushing [{bar}] {value}/{total} signals', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(valid.length, 0);
  const client = ctx.client();
  for (let i = 0; i < valid.length; i += SIGNAL_BATCH_MAX) {
    const chunk = valid.slice(i, i + SIGNAL_BATCH_MAX);
    const result = await client.storeSignals(chunk.map((c) => c.signal));
    result.results.forEach((r, j) => {
      const line = (chunk[j] as { line: number }).line;
      if (r.status === 'stored') summary.accepted++;
      else if (r.status === 'unchanged') summary.replayed++;
      else
        reject(
          line,
          `${r.details?.[0] ? `${r.details[0].path}: ${r.details[0].message}` : (r.message ?? r.error ?? 'rejected')}`,
        );
    });
    bar?.update(Math.min(i + SIGNAL_BATCH_MAX, valid.length));
  }
  bar?.stop();
  summary.rejections.sort((a, b) => a.line - b.line);
  ctx.out.data({ file: o.file, rows: rows.length, ...summary });
  ctx.out.say(
    `${summary.rejected ? ctx.out.red('!') : ctx.out.green('✓')} ${o.file}: ${rows.length} rows, ${summary.accepted} accepted, ${summary.replayed} replayed (already stored), ${summary.rejected} rejected`,
  );
  for (const r of summary.rejections) ctx.out.say(`  line ${r.line}: ${r.reason}`);
  if (summary.rejected) {
    throw new CliError(
      `${summary.rejected} row(s) rejected; fix those lines and run the file again (stored rows are replayed, not duplicated)`,
    );
  }
}
