export default function Loading() {
  return (
    <div className="space-y-4" aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading…</span>
      <div className="h-8 w-64 animate-pulse rounded-md bg-surface-2" />
      <div className="h-14 animate-pulse rounded-xl bg-surface-2" />
      <div className="card space-y-3 p-4">
        {Array.from({ length: 8 }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
          <div key={i} className="h-6 animate-pulse rounded bg-surface-2" />
        ))}
      </div>
    </div>
  );
}
