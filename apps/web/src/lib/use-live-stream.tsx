'use client';
import type { StreamEvent, StreamEventType } from '@neuronetiq/contracts';
import { useEffect, useRef, useState } from 'react';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

/**
 * Follows the api's event stream through this app's `/api/stream` route (the browser never holds an api token).
 * EventSource reconnects by itself and sends `Last-Event-ID`, so nothing stored while it was away is missed.
 */
export function useLiveStream(
  filter: { symbol?: string; tf?: string; types: StreamEventType[] },
  onEvent: (event: StreamEvent) => void,
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const { symbol, tf } = filter;
  const types = filter.types.join(',');
  useEffect(() => {
    const params = new URLSearchParams({ types });
    if (symbol) params.set('symbol', symbol);
    if (tf) params.set('tf', tf);
    const source = new EventSource(`/api/stream?${params}`);
    const receive = (e: MessageEvent<string>) => {
      try {
        const parsed = JSON.parse(e.data) as StreamEvent;
        handler.current(parsed);
      } catch {
        // A malformed event is dropped; the next one still arrives.
      }
    };
    for (const t of types.split(',')) source.addEventListener(t, receive as EventListener);
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus('reconnecting');
    return () => source.close();
  }, [symbol, tf, types]);
  return status;
}

export function LiveBadge({ status }: { status: LiveStatus }) {
  const label = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-muted" data-testid="live-status">
      <span
        aria-hidden
        className={`h-2 w-2 rounded-full ${status === 'live' ? 'animate-pulse bg-buy' : 'bg-neutral'}`}
      />
      {label}
    </span>
  );
}
