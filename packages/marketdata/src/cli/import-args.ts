import { SymbolSchema, TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '@neuronetiq/contracts';
import { Command, CommanderError, Option } from 'commander';
import { COLUMN_ROLES, type DialectOverrides } from '../import/dialect';
import { IMPORT_FORMATS, type ImportFormat } from '../import/report';
import { CALENDAR_NAMES, type CalendarName } from '../resample/calendars';
import { normalizeZone, ZONE_FORMS } from '../time/zone-clock';

/** What `npm run import -- <file> --symbol EURUSD --tf 1m [--format …] [--tz …]` asks for. */
export interface ImportCliOptions {
  file: string;
  symbol: string;
  timeframe: Timeframe;
  /** Undefined: recognise the format from the file. */
  format: ImportFormat | undefined;
  /** Zone of timestamps without an offset (normalised: `America/New_York`, `UTC+5:30`); undefined: UTC, checked. */
  tz: string | undefined;
  /** Store even when the clock check says the file's clock is wrong. */
  force: boolean;
  /** `--delimiter`, `--quote`, `--no-header`, `--columns`: what the importer would otherwise sniff. */
  dialect: DialectOverrides;
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
  /** Also store these larger timeframes built from the file's bars (edge buckets left out); empty: none. */
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

const DELIMITER_NAMES: Record<string, string> = {
  ',': ',',
  comma: ',',
  ';': ';',
  semicolon: ';',
  tab: '\t',
  '\t': '\t',
  '\\t': '\t',
  '|': '|',
  pipe: '|',
  space: ' ',
  spaces: ' ',
  whitespace: ' ',
};

function buildCommand(): Command {
  return new Command('import')
    .description(
      'Import OHLCV bars from a CSV file: HistData, NinjaTrader, MetaTrader 4/5, Dukascopy, TradingView, Binance, Yahoo, CryptoDataDownload or any file with a time (or date and time) and open, high, low, close columns. The file is read and checked before anything is stored.',
    )
    .argument('<file>', 'CSV file to import (relative to the directory you run the command from)')
    .requiredOption('--symbol <symbol>', 'instrument symbol stored on every bar, e.g. EURUSD')
    .addOption(
      new Option('--tf <timeframe>', 'timeframe of the bars in the file').choices(TIMEFRAMES).makeOptionMandatory(),
    )
    .addOption(
      new Option('--format <format>', 'file layout (default: recognised from the file)').choices(IMPORT_FORMATS),
    )
    .option(
      '--tz <zone>',
      `clock of timestamps without an offset: ${ZONE_FORMS}. Default: UTC, and the import stops if the bars' weekly rhythm says otherwise (HistData: America/New_York)`,
    )
    .option('--force', 'store even when the clock check says the clock is wrong', false)
    .option('--delimiter <char>', 'field separator: , ; tab | or space (default: sniffed)')
    .option('--quote <char>', 'quote character, or none (default: sniffed)')
    .option('--no-header', 'the first line is data, not a header')
    .option(
      '--columns <names>',
      `the file's columns in order, e.g. time,open,high,low,close,volume or date,time,open,high,low,close (names: ${COLUMN_ROLES.filter((r) => r !== 'close_time' && r !== 'date_check').join(' ')}; - skips one)`,
    )
    .addOption(
      new Option(
        '--calendar <calendar>',
        'market calendar for the clock check and gaps (default: by format and symbol)',
      ).choices(CALENDAR_NAMES),
    )
    .option('--chunk-size <bars>', 'bars per database write', '5000')
    .option('--dry-run', 'read, check and report what would be stored; opens no database', false)
    .option('--json', 'print the report as JSON', false)
    .option('--api <url>', 'import through the api at this URL (POST /api/marketdata/import; needs SERVICE_ROLE_KEY)')
    .option(
      '--resample <timeframes>',
      "also store larger timeframes built from the file, e.g. 5m,1h (buckets cut by the file's edges are left out)",
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
    tz?: string;
    force: boolean;
    delimiter?: string;
    quote?: string;
    header: boolean;
    columns?: string;
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
  let tz: string | undefined;
  if (o.tz !== undefined) {
    const normalised = normalizeZone(o.tz);
    if (normalised === null) {
      throw new ImportArgsError(`option '--tz ${o.tz}': unknown time zone; use ${ZONE_FORMS}`, usage);
    }
    tz = normalised;
  }
  const chunkSize = Number(o.chunkSize);
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 10_000) {
    throw new ImportArgsError(`option '--chunk-size ${o.chunkSize}': must be a whole number from 1 to 10000`, usage);
  }
  const dialect: DialectOverrides = {};
  if (o.delimiter !== undefined) {
    const d = DELIMITER_NAMES[o.delimiter.toLowerCase()] ?? DELIMITER_NAMES[o.delimiter];
    if (d === undefined) {
      throw new ImportArgsError(`option '--delimiter ${o.delimiter}': use , ; tab | or space`, usage);
    }
    dialect.delimiter = d;
  }
  if (o.quote !== undefined) {
    if (o.quote.toLowerCase() === 'none') dialect.quote = null;
    else if (o.quote.length === 1) dialect.quote = o.quote;
    else throw new ImportArgsError(`option '--quote ${o.quote}': one character such as " or ', or none`, usage);
  }
  if (o.header === false) dialect.header = false;
  if (o.columns !== undefined) {
    const names = o.columns.split(',').map((c) => c.trim());
    const unknown = names.filter((c) => c !== '' && !(COLUMN_ROLES as readonly string[]).includes(c.toLowerCase()));
    if (unknown.length > 0) {
      throw new ImportArgsError(
        `option '--columns ${o.columns}': ${unknown.map((u) => `"${u}"`).join(', ')} not a column name (${COLUMN_ROLES.filter((r) => r !== 'close_time' && r !== 'date_check').join(', ')})`,
        usage,
      );
    }
    dialect.columns = names;
  }
  if (o.api !== undefined) {
    if (!/^https?:\/\/[^/\s]+/.test(o.api) || !URL.canParse(o.api)) {
      throw new ImportArgsError(`option '--api ${o.api}': must be an http(s) URL such as http://127.0.0.1:8787`, usage);
    }
    // The api's importer takes the symbol, timeframe, format and zone; it sniffs the rest itself.
    const notWithApi: Array<[boolean, string]> = [
      [o.dryRun, '--dry-run'],
      [o.calendar !== undefined, '--calendar'],
      [o.force, '--force'],
      [o.delimiter !== undefined, '--delimiter'],
      [o.quote !== undefined, '--quote'],
      [o.header === false, '--no-header'],
      [o.columns !== undefined, '--columns'],
      [o.resample !== undefined, '--resample'],
    ];
    for (const [used, name] of notWithApi) {
      if (used) throw new ImportArgsError(`option '${name}' cannot be used with '--api'`, usage);
    }
  }
  const resample = parseResample(o, usage);
  return {
    kind: 'run',
    options: {
      file,
      symbol: symbol.data,
      timeframe: o.tf,
      format: o.format,
      tz,
      force: o.force,
      dialect,
      calendar: o.calendar,
      chunkSize,
      dryRun: o.dryRun,
      json: o.json,
      apiUrl: o.api?.replace(/\/+$/, ''),
      resample,
    },
  };
}

function parseResample(o: { resample?: string; tf: Timeframe }, usage: string): Timeframe[] {
  if (o.resample === undefined) return [];
  const arg = `option '--resample ${o.resample}'`;
  const targets = o.resample
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (targets.length === 0) throw new ImportArgsError(`${arg}: name at least one timeframe, e.g. 5m,1h`, usage);
  for (const t of targets) {
    if (!(TIMEFRAMES as readonly string[]).includes(t)) {
      throw new ImportArgsError(`${arg}: "${t}" is not a timeframe (${TIMEFRAMES.join(', ')})`, usage);
    }
    const ms = TIMEFRAME_MS[t as Timeframe];
    if (ms <= TIMEFRAME_MS[o.tf] || ms % TIMEFRAME_MS[o.tf] !== 0) {
      throw new ImportArgsError(`${arg}: "${t}" is not a larger multiple of the imported ${o.tf}`, usage);
    }
  }
  return [...new Set(targets)] as Timeframe[];
}
