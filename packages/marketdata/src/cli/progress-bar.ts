import cliProgress from 'cli-progress';
import type { ImportProgress } from '../import/import-csv';

export interface ImportProgressBar {
  /** False when the stream is not a terminal: then nothing is drawn (logs and CI stay clean). */
  readonly enabled: boolean;
  /** Pass as ImportOptions.onProgress. */
  onProgress(p: ImportProgress): void;
  stop(): void;
}

export interface ImportProgressBarOptions {
  /** Default process.stdout; drawn only when it is a TTY. */
  stream?: NodeJS.WriteStream;
  label?: string;
  /** Draw the bytes sent of an upload (import through the api, which counts the rows) instead of the row counts. */
  upload?: boolean;
}

/** A terminal progress bar for an import: bytes read of the file when its size is known, and the row counts. */
export function createImportProgressBar(options: ImportProgressBarOptions = {}): ImportProgressBar {
  const stream = options.stream ?? process.stdout;
  if (!stream.isTTY) return { enabled: false, onProgress: () => {}, stop: () => {} };
  const label = options.label ?? 'import';
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: options.upload
        ? `${label} uploading {bar} {percentage}% | {value}/{total} bytes | {eta_formatted}`
        : `${label} {phase} {bar} {percentage}% | {rows} rows, {stored} stored, {rejected} rejected, {duplicates} duplicates | {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phase: ImportProgress['phase'] = 'read';
  return {
    enabled: true,
    onProgress(p) {
      const payload = {
        phase: p.phase === 'read' ? 'reading' : 'storing',
        rows: p.rowsRead,
        stored: p.stored,
        rejected: p.rejected,
        duplicates: p.duplicates,
      };
      // Reading counts bytes of the file (rows when its size is unknown); storing counts the checked bars.
      const total = p.phase === 'store' ? Math.max(p.toStore, 1) : (p.totalBytes ?? Math.max(p.rowsRead, 1));
      const value = p.phase === 'store' ? p.stored : p.totalBytes === null ? p.rowsRead : p.bytesRead;
      if (!started) {
        bar.start(total, value, payload);
        started = true;
      } else {
        if (p.phase !== phase) bar.update(0, payload);
        bar.setTotal(total);
        bar.update(value, payload);
      }
      phase = p.phase;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
