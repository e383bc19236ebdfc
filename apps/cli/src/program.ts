import { DECISIONS, TIMEFRAMES } from '@neuronetiq/contracts';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { login, logout, whoami } from './commands/auth';
import { completionScript } from './commands/completion';
import { doctor } from './commands/doctor';
import { init } from './commands/init';
import { listConsensus, listSignals } from './commands/lists';
import { createModel, listModels, showModel } from './commands/models';
import { getOhlcv } from './commands/ohlcv';
import { performance } from './commands/performance';
import { pushFile, pushOne } from './commands/push';
import { revenue } from './commands/revenue';
import { type Context, createContext, DEFAULT_API_URL, type GlobalOptions } from './context';
import { type Env, parseEnv } from './env';
import { CliError, createOut, describeError, EXIT, type Streams } from './output';

export const VERSION = '0.2.1';

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
};
const confidence = (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError('confidence must be a number from 0 to 1, e.g. 0.8');
  }
  return n;
};
const timestamp = (v: string) => {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw new InvalidArgumentError('must be an ISO-8601 time with an offset, e.g. 2026-01-05T12:00:00Z');
  }
  return new Date(v).toISOString();
};
const symbol = (v: string) => {
  if (!/^[A-Z0-9._-]{1,32}$/.test(v)) throw new InvalidArgumentError('symbol must be upper-case, e.g. EURUSD');
  return v;
};
const apiUrl = (v: string) => {
  if (!URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol)) {
    throw new InvalidArgumentError('must be an http(s) URL, e.g. http://127.0.0.1:8787');
  }
  return v;
};
const tfOption = (flags = '--tf <timeframe>') =>
  new Option(flags, 'timeframe').choices(TIMEFRAMES as unknown as string[]);
const example = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

export interface RunIo {
  streams: Streams;
  /** The environment (default: this process's, read by env.ts). */
  env?: Record<string, string | undefined>;
}

/** Builds the `mp` command tree; `context()` gives each action its Context (api, key, output). */
export function createProgram(io: RunIo, holder: { context?: Context; env?: Env } = {}): Command {
  const program = new Command('mp');
  const ctx = (cmd: Command): Context => {
    const globals = cmd.optsWithGlobals() as GlobalOptions;
    const env = parseEnvOrThrow(io.env);
    holder.env = env;
    const out = createOut(io.streams, {
      json: globals.json === true,
      noColor: globals.color === false || env.NO_COLOR !== undefined,
    });
    holder.context = createContext(env, out, globals);
    return holder.context;
  };

  program
    .description('The NeuronetIQ Trader command line: publish trading signals from your ML models.')
    .version(VERSION, '-v, --version', 'print the version of mp')
    .addOption(
      new Option(
        '--api-url <url>',
        `the api (default: MP_API_URL, else your login's, else ${DEFAULT_API_URL})`,
      ).argParser(apiUrl),
    )
    .option('--json', 'print machine-readable JSON instead of tables')
    .option('--no-color', 'no colour (also: NO_COLOR, or output that is not a terminal)')
    .showHelpAfterError('(run the command with --help for its options and an example)')
    .configureOutput({
      writeOut: (s) => io.streams.stdout.write(s),
      writeErr: (s) => io.streams.stderr.write(s),
    })
    .exitOverride()
    .addHelpText(
      'after',
      example(
        'mp login',
        'mp models create my-rsi --name "My RSI"',
        'mp signals push --model my-rsi --symbol EURUSD --tf 5m --decision BUY --confidence 0.8',
        'mp init my-rsi',
      ),
    );

  program
    .command('login')
    .description('log in: approve this device in the browser (OAuth device flow), or store an API key')
    .option('--api-key <key>', 'store this vendor API key instead of the browser flow (CI: set MP_API_KEY instead)')
    .option('--name <name>', 'what the key is called in your dashboard (default "mp on <host>")')
    .addHelpText(
      'after',
      example('mp login', 'mp login --api-url https://infra.neuronetiq.com', 'mp login --api-key mp_abc…'),
    )
    .action(async (o: { apiKey?: string; name?: string }, cmd: Command) => {
      await login(ctx(cmd), { ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.name ? { clientName: o.name } : {}) });
    });

  program
    .command('logout')
    .description('revoke the stored API key at the api and forget it')
    .addHelpText('after', example('mp logout'))
    .action(async (_o, cmd: Command) => logout(ctx(cmd)));

  program
    .command('whoami')
    .description('show who your credentials belong to')
    .addHelpText('after', example('mp whoami', 'mp whoami --json'))
    .action(async (_o, cmd: Command) => whoami(ctx(cmd)));

  program
    .command('doctor')
    .description('check the config, the api, contract versions and your key, and say what to fix')
    .addHelpText('after', example('mp doctor'))
    .action(async (_o, cmd: Command) => doctor(ctx(cmd), VERSION));

  const models = program.command('models').description('list, register and inspect models');
  models
    .command('list')
    .description('models you can see: yours and every public one')
    .option('--owner <owner>', 'only this owner')
    .option('--mine', 'only yours')
    .option('--limit <n>', 'at most this many', int('limit', 1, 1000), 100)
    .addHelpText('after', example('mp models list --mine'))
    .action(async (o, cmd: Command) => listModels(ctx(cmd), o));
  models
    .command('create <id>')
    .description('register a model under your owner (id: 1-64 of a-z 0-9 - _)')
    .requiredOption('--name <name>', 'display name')
    .option('--description <text>', 'what it does', '')
    .option('--private', 'only you see it (default: public in the marketplace)')
    .addHelpText('after', example('mp models create my-rsi --name "My RSI" --description "RSI(14) mean reversion"'))
    .action(async (id: string, o, cmd: Command) => createModel(ctx(cmd), { id, ...o }));
  models
    .command('show <id>')
    .description('a model, its track record and its latest signals')
    .option('--owner <owner>', 'the owner (default: yours)')
    .addHelpText('after', example('mp models show my-rsi'))
    .action(async (id: string, o, cmd: Command) => showModel(ctx(cmd), { id, ...o }));

  const signals = program.command('signals').description('push and list signals');
  signals
    .command('push')
    .description('push one signal, or a file of them (CSV or JSON Lines, in batches of up to 1,000)')
    .option('--model <id>', 'model id (for --file: used where a row has no model_id)')
    .option('--symbol <symbol>', 'instrument, e.g. EURUSD', symbol)
    .addOption(tfOption())
    .addOption(new Option('--decision <decision>', 'the call').choices(DECISIONS as unknown as string[]))
    .option('--confidence <0..1>', 'confidence from 0 to 1', confidence)
    .option('--bar-ts <time>', 'open time of the bar the signal is for (default: the bar in progress)', timestamp)
    .option('--meta <json>', 'a JSON object stored with the signal, e.g. \'{"rsi":28.1}\'')
    .option(
      '--file <path>',
      'a .csv or .jsonl file: columns model_id, symbol, timeframe, bar_ts, decision, confidence, meta',
    )
    .addHelpText(
      'after',
      example(
        'mp signals push --model my-rsi --symbol EURUSD --tf 5m --decision BUY --confidence 0.8',
        'mp signals push --model my-rsi --symbol EURUSD --tf 5m --decision SELL --confidence 0.6 --bar-ts 2026-01-05T12:05:00Z --meta \'{"rsi":71.2}\'',
        'mp signals push --file signals.csv',
      ),
    )
    .action(async (o, cmd: Command) => {
      if (o.file) {
        for (const f of ['symbol', 'tf', 'decision', 'confidence', 'barTs', 'meta'] as const) {
          if (o[f] !== undefined)
            throw new CliError(`--file takes its values from the file; drop --${f === 'barTs' ? 'bar-ts' : f}`, 2);
        }
        return pushFile(ctx(cmd), { file: o.file, ...(o.model ? { model: o.model } : {}) });
      }
      const missing = ['model', 'symbol', 'tf', 'decision', 'confidence'].filter((f) => o[f] === undefined);
      if (missing.length) {
        throw new CliError(
          `missing ${missing.map((m) => `--${m}`).join(', ')} (or pass --file); see \`mp signals push --help\``,
          2,
        );
      }
      return pushOne(ctx(cmd), o);
    });
  signals
    .command('list')
    .description('your stored signals, newest first')
    .option('--model <id>', 'only this model')
    .option('--symbol <symbol>', 'only this symbol', symbol)
    .addOption(tfOption())
    .option('--from <time>', 'bars from this time', timestamp)
    .option('--to <time>', 'bars up to this time', timestamp)
    .option('--limit <n>', 'at most this many', int('limit', 1, 1000), 20)
    .addHelpText('after', example('mp signals list --model my-rsi --limit 5'))
    .action(async (o, cmd: Command) => listSignals(ctx(cmd), o));

  program
    .command('consensus')
    .description('consensus rows')
    .command('list')
    .description('consensus rows you may read, newest first')
    .option('--owner <owner>', 'the consensus of this owner')
    .option('--symbol <symbol>', 'only this symbol', symbol)
    .addOption(tfOption())
    .option('--from <time>', 'bars from this time', timestamp)
    .option('--to <time>', 'bars up to this time', timestamp)
    .option('--limit <n>', 'at most this many', int('limit', 1, 1000), 20)
    .addHelpText('after', example('mp consensus list --symbol EURUSD --tf 1m --limit 5'))
    .action(async (o, cmd: Command) => listConsensus(ctx(cmd), o));

  program
    .command('ohlcv')
    .description('market data')
    .command('get')
    .description('bars of one series, oldest first, to train on (pages through long ranges)')
    .requiredOption('--symbol <symbol>', 'instrument, e.g. EURUSD', symbol)
    .addOption(tfOption().makeOptionMandatory())
    .option('--from <time>', 'first bar (inclusive)', timestamp)
    .option('--to <time>', 'last bar (inclusive; default: the newest)', timestamp)
    .option('--limit <n>', 'at most this many bars (the newest in the range)', int('limit', 1, 10_000_000), 1000)
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      example(
        'mp ohlcv get --symbol EURUSD --tf 1m --limit 500 > eurusd.csv',
        'mp ohlcv get --symbol BTCUSDT --tf 1m --from 2026-01-01T00:00:00Z --limit 100000 --format json -o btc.json',
      ),
    )
    .action(async (o, cmd: Command) => getOhlcv(ctx(cmd), o as Parameters<typeof getOhlcv>[1]));

  program
    .command('performance [model]')
    .description('track records: hits, hit rate and mean return of scored signals')
    .option('--owner <owner>', 'only this owner')
    .option('--symbol <symbol>', 'only this symbol', symbol)
    .addOption(tfOption())
    .option('--window <n>', 'newest scored signals per series', int('window', 1, 5000), 200)
    .addHelpText('after', example('mp performance my-rsi', 'mp performance --json'))
    .action(async (model: string | undefined, o, cmd: Command) =>
      performance(ctx(cmd), { ...o, ...(model ? { model } : {}) }),
    );

  program
    .command('revenue')
    .description('your revenue statement of a month: gross, platform fee and your share per subscription')
    .option('--month <month>', 'the month, YYYY-MM (default: the running one, UTC)', (v: string) => {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(v)) throw new InvalidArgumentError('--month must be YYYY-MM, e.g. 2026-11');
      return v;
    })
    .option('--csv', "the statement as CSV (the api's bytes: the same at every read of a closed month)")
    .addHelpText('after', example('mp revenue --month 2026-11', 'mp revenue --month 2026-11 --csv > 2026-11.csv'))
    .action(async (o, cmd: Command) => revenue(ctx(cmd), o as Parameters<typeof revenue>[1]));

  program
    .command('init <dir>')
    .description('scaffold a starter model: TypeScript (RSI with @neuronetiq/indicators), or one Python file')
    .option('--python', 'a single-file Python 3 model (standard library only)')
    .option('--model <id>', 'model id (default: the folder name)')
    .option('--symbol <symbol>', 'instrument', symbol, 'EURUSD')
    .addOption(tfOption().default('1m'))
    .addHelpText('after', example('mp init my-rsi', 'mp init my-rsi-py --python --symbol BTCUSDT --tf 5m'))
    .action(async (dir: string, o, cmd: Command) => init(ctx(cmd), { dir, ...o }));

  program
    .command('completion <shell>')
    .description('print a shell completion script (bash, zsh or fish)')
    .addHelpText(
      'after',
      example('source <(mp completion bash)', 'mp completion fish > ~/.config/fish/completions/mp.fish'),
    )
    .action((shell: string) => {
      io.streams.stdout.write(completionScript(program, shell));
    });

  for (const c of allCommands(program)) {
    c.exitOverride().configureOutput({
      writeOut: (s) => io.streams.stdout.write(s),
      writeErr: (s) => io.streams.stderr.write(s),
    });
  }
  return program;
}

const allCommands = (c: Command): Command[] => c.commands.flatMap((s) => [s, ...allCommands(s)]);

function parseEnvOrThrow(source: Record<string, string | undefined> | undefined): Env {
  try {
    return parseEnv(source);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
}

/** Runs mp with `argv` (without node and the script); resolves with the exit code. */
export async function run(argv: readonly string[], io: RunIo): Promise<number> {
  const holder: { context?: Context } = {};
  const program = createProgram(io, holder);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end parsing "with an error" of exit code 0; anything else is a usage mistake.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const apiUrl = holder.context?.apiUrl ?? DEFAULT_API_URL;
    const e = describeError(err, apiUrl);
    const red = holder.context?.out.color ? (s: string) => `\u001b[31m${s}\u001b[39m` : (s: string) => s;
    io.streams.stderr.write(`${red('mp:')} ${e.message}\n`);
    return e.exitCode;
  }
}
