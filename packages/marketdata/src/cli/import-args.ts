import { SymbolSchema, TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '@neuronetiq/contracts';
import { Command, CommanderError, Option } from 'commander';
import { IMPORT_FORMATS, type ImportFormat } from '../import/report';
import { CALENDAR_NAMES, type CalendarName } from '../resample/calendars';
import { isValidZone } from '../time/zone-clock';

/** What `npm run import -- <file> --symbol EURUSD --tf 1m [--format …] [--tz …]` asks for. */
export interface ImportCliOptions {
  file: string;
  symbol: string;
  timeframe: Timeframe;
  /** Undefined: recognise the format from the file. */
  format: ImportFormat | undefined;
  /** IANA zone for timestamps without an offset; `UTC` unless given. */
  tz: string;
  calendar: CalendarName | undefined;
  chunkSize: number;
  /** Parse and report without storing. */
  dryRun: boolean;
  /** Print the report as JSON instead of text. */
  json: boolean;
  /**
   * Import through the Infrastructure API at this base URL (`POST /api/marketdata/import`, the service role key from
   * the environment) instead of writing to the database; undefined: straight into the database.
   */
  apiUrl: string | undefined;
  /**
   * After storing 1m bars, roll the imported range up into these larger timeframes (straight into the database
   * only); empty: no roll-up.
   */
  resample: Timeframe[];
}

export type ParsedImportArgs = { kind: 'run'; options: ImportCliOptions } | { kind: 'help'; text: string };

/** A usage mistake: `message` names the argument and what is allowed; print it with `usage` and exit 2. */
export class ImportArgsError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'ImportArgsError';
  }
}

function buildCommand(): Command {
  return new Command('import')
    .description('Import OHLCV bars from a CSV file (HistData, Binance, Yahoo, CryptoDataDownload or a headed CSV).')
    .argument('<file>', 'CSV file to import')
    .requiredOption('--symbol <symbol>', 'instrument symbol stored on every bar, e.g. EURUSD')
    .addOption(
      new Option('--tf <timeframe>', 'timeframe of the bars in the file').choices(TIMEFRAMES).makeOptionMandatory(),
    )
    .addOption(
      new Option('--format <format>', 'file format (default: recognised from the file)').choices(IMPORT_FORMATS),
    )
    .option('--tz <zone>', 'IANA time zone of timestamps without an offset (HistData: America/New_York)', 'UTC')
    .addOption(
      new Option('--calendar <calendar>', 'market calendar for gap counting (default: by format)').choices(
        CALENDAR_NAMES,
      ),
    )
    .option('--chunk-size <bars>', 'bars per database write', '5000')
    .option('--dry-run', 'parse and report without storing', false)
    .option('--json', 'print the report as JSON', false)
    .option('--api <url>', 'import through the api at this URL (POST /api/marketdata/import; needs SERVICE_ROLE_KEY)')
    .option(
      '--resample <timeframes>',
      'after a 1m import, roll the imported range up into these timeframes, e.g. 5m,1h (not with --api or --dry-run)',
    )
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

/** Parses the import command's arguments (without `node` and the script path). Never exits the process. */
export function parseImportArgs(argv: readonly string[]): ParsedImportArgs {
  const cmd = buildCommand();
  const usage = cmd.helpInformation();
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') return { kind: 'help', text: usage };
      throw new ImportArgsError(e.message.replace(/^error: /, ''), usage);
    }
    throw e;
  }
  const o = cmd.opts<{
    symbol: string;
    tf: Timeframe;
    format?: ImportFormat;
    tz: string;
    calendar?: CalendarName;
    chunkSize: string;
    dryRun: boolean;
    json: boolean;
    api?: string;
    resample?: string;
  }>();
  const file = cmd.args[0] as string;
  const symbol = SymbolSchema.safeParse(o.symbol);
  if (!symbol.success)
    throw new ImportArgsError(`option '--symbol ${o.symbol}': ${symbol.error.issues[0]?.message}`, usage);
  if (!isValidZone(o.tz)) {
    throw new ImportArgsError(
      `option '--tz ${o.tz}': unknown time zone; use an IANA name such as America/New_York`,
      usage,
    );
  }
  const chunkSize = Number(o.chunkSize);
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 10_000) {
    throw new ImportArgsError(`option '--chunk-size ${o.chunkSize}': must be a whole number from 1 to 10000`, usage);
  }
  if (o.api !== undefined) {
    if (!/^https?:\/\/[^/\s]+/.test(o.api) || !URL.canParse(o.api)) {
      throw new ImportArgsError(`option '--api ${o.api}': must be an http(s) URL such as http://127.0.0.1:8787`, usage);
    }
    // The api's importer stores what it reads and counts gaps on the format's own calendar.
    if (o.dryRun) throw new ImportArgsError(`option '--dry-run' cannot be used with '--api'`, usage);
    if (o.calendar) throw new ImportArgsError(`option '--calendar' cannot be used with '--api'`, usage);
  }
  const resample = parseResample(o, usage);
  return {
    kind: 'run',
    options: {
      file,
      symbol: symbol.data,
      timeframe: o.tf,
      format: o.format,
      tz: o.tz,
      calendar: o.calendar,
      chunkSize,
      dryRun: o.dryRun,
      json: o.json,
      apiUrl: o.api?.replace(/\/+$/, ''),
      resample,
    },
  };
}

function parseResample(
  o: { resample?: string; tf: Timeframe; api?: string; dryRun: boolean },
  usage: string,
): Timeframe[] {
  if (o.resample === undefined) return [];
  const arg = `option '--resample ${o.resample}'`;
  if (o.api !== undefined) throw new ImportArgsError(`option '--resample' cannot be used with '--api'`, usage);
  if (o.dryRun) throw new ImportArgsError(`option '--resample' cannot be used with '--dry-run'`, usage);
  if (o.tf !== '1m') throw new ImportArgsError(`${arg}: needs '--tf 1m' (got '--tf ${o.tf}')`, usage);
  const targets = o.resample
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (targets.length === 0) throw new ImportArgsError(`${arg}: name at least one timeframe, e.g. 5m,1h`, usage);
  for (const t of targets) {
    if (!(TIMEFRAMES as readonly string[]).includes(t)) {
      throw new ImportArgsError(`${arg}: "${t}" is not a timeframe (${TIMEFRAMES.join(', ')})`, usage);
    }
    if (TIMEFRAME_MS[t as Timeframe] <= TIMEFRAME_MS[o.tf]) {
      throw new ImportArgsError(`${arg}: "${t}" is not larger than the imported ${o.tf}`, usage);
    }
  }
  return [...new Set(targets)] as Timeframe[];
}
