import { HttpError, isNetworkError, ResponseShapeError } from '@neuronetiq/client';

/** Exit codes: 0 done, 1 failed, 2 the command line itself was wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A failure to report in one sentence that says what to do; mp prints it and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = EXIT.failure,
  ) {
    super(message);
  }
}

export interface Streams {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

/** How a command talks to the person or the script running it. */
export interface Out {
  json: boolean;
  color: boolean;
  /** stderr is a terminal: progress bars and prompts are worth drawing. */
  interactive: boolean;
  streams: Streams;
  /** A line for people on stdout (nothing in --json mode). */
  say(line: string): void;
  /** A line for people on stderr (status while working). */
  note(line: string): void;
  /** The result as JSON on stdout (--json mode only). */
  data(value: unknown): void;
  green(s: string): string;
  red(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function createOut(streams: Streams, o: { json: boolean; noColor: boolean }): Out {
  // https://no-color.org: any NO_COLOR value turns colour off; so does output that is not a terminal.
  const color = !o.noColor && streams.stdout.isTTY === true;
  const paint = (open: number, close: number) => (s: string) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return {
    json: o.json,
    color,
    interactive: streams.stderr.isTTY === true && !o.json,
    streams,
    say: (line) => {
      if (!o.json) streams.stdout.write(`${line}\n`);
    },
    note: (line) => {
      streams.stderr.write(`${line}\n`);
    },
    data: (value) => {
      if (o.json) streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    green: paint(32, 39),
    red: paint(31, 39),
    dim: paint(2, 22),
    bold: paint(1, 22),
  };
}

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
  align?: 'left' | 'right';
}

/** A plain-text table for people: a header row and columns padded to their widest cell. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => String(c.value(r) ?? '')));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]?.align === 'right' ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Turns anything a command threw into the one sentence mp prints. */
export function describeError(err: unknown, apiUrl: string): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof HttpError) {
    const apiMessage = err.message.replace(/^[A-Z]+ \S+ answered \d+( [A-Z_]+)?: /, '');
    if (err.status === 401) {
      return new CliError(
        `the api refused your credentials (${apiMessage}); run \`mp login\` or set MP_API_KEY to a valid key`,
      );
    }
    if (err.status === 429) {
      const wait = err.retryAfterMs ? Math.ceil(err.retryAfterMs / 1000) : 60;
      return new CliError(`rate limited by the api; wait ${wait} s and run the command again`);
    }
    return new CliError(`${apiMessage} (HTTP ${err.status}${err.code ? ` ${err.code}` : ''})`);
  }
  if (err instanceof ResponseShapeError) {
    return new CliError(`${err.message}; run \`mp doctor\` to compare versions`);
  }
  if (isNetworkError(err) || (err as { name?: string }).name === 'TimeoutError') {
    return new CliError(
      `cannot reach the api at ${apiUrl}; start the platform (\`npm start\`) or point mp at yours with --api-url or MP_API_URL`,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(`unexpected error: ${message}; run \`mp doctor\`, and report it if it persists`);
}
