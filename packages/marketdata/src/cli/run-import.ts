import { existsSync } from 'node:fs';
import { ImportError } from '../import/formats';
import { type BarSink, importCsv } from '../import/import-csv';
import { formatImportReport } from '../import/report';
import { ImportArgsError, parseImportArgs } from './import-args';
import { createImportProgressBar } from './progress-bar';

export interface RunImportDeps {
  /** Where bars go; called with chunks of `--chunk-size` bars. Not called with `--dry-run`. */
  sink: BarSink;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/**
 * The whole `npm run import` command except the database: parses argv, shows a progress bar on a terminal,
 * imports, prints the report (text, or JSON with --json) and returns the exit code: 0 imported (bad rows are
 * reported, not fatal), 1 the file could not be imported, 2 a usage mistake.
 */
export async function runImportCommand(argv: readonly string[], deps: RunImportDeps): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  let parsed: ReturnType<typeof parseImportArgs>;
  try {
    parsed = parseImportArgs(argv);
  } catch (e) {
    if (!(e instanceof ImportArgsError)) throw e;
    stderr.write(`error: ${e.message}\n\n${e.usage}`);
    return 2;
  }
  if (parsed.kind === 'help') {
    stdout.write(parsed.text);
    return 0;
  }
  const o = parsed.options;
  if (o.apiUrl !== undefined) {
    stderr.write(
      `error: option '--api' is not available here: this command imports into its sink (npm run import has it)\n`,
    );
    return 2;
  }
  if (o.resample.length > 0) {
    stderr.write(
      `error: option '--resample' is not available here: this command has no database (npm run import has it)\n`,
    );
    return 2;
  }
  if (!existsSync(o.file)) {
    stderr.write(`error: file "${o.file}" does not exist\n`);
    return 1;
  }
  const bar = o.json
    ? createImportProgressBar({ stream: stderr })
    : createImportProgressBar({ stream: stdout, label: o.symbol });
  try {
    const report = await importCsv(
      o.file,
      {
        symbol: o.symbol,
        timeframe: o.timeframe,
        format: o.format,
        tz: o.tz,
        calendar: o.calendar,
        chunkSize: o.chunkSize,
        onProgress: bar.onProgress,
      },
      o.dryRun ? async () => {} : deps.sink,
    );
    bar.stop();
    stdout.write(
      o.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${formatImportReport(report)}${o.dryRun ? '\n(dry run: nothing stored)' : ''}\n`,
    );
    return 0;
  } catch (e) {
    bar.stop();
    if (e instanceof ImportError) {
      stderr.write(`error: ${e.message}\n`);
      return e.code === 'OPTIONS_INVALID' ? 2 : 1;
    }
    throw e;
  }
}
