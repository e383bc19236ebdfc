// What the web's /api/stream answers when the api behind it cannot serve the stream right now (an instance restarting,
// the database down for a moment). An EventSource reconnects by itself only after a stream that ends; an HTTP error
// or another content type closes it for good, and the page would go quiet until reloaded. So a passing failure is an
// empty event stream that tells the browser to come back shortly (it resumes with Last-Event-ID: nothing is missed);
// only answers that retrying cannot change (401, a bad query) stay errors.

export const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/** The api's status is one a reconnect may get past (5xx, 429), or there was no answer at all (`undefined`). */
export function isPassingFailure(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 429;
}

/** An event stream with only a reconnection delay and a comment: the EventSource reconnects after `retryMs`. */
export function reconnectLater(retryMs = 2000): Response {
  return new Response(`retry: ${Math.round(retryMs)}\n: the live feed is unavailable for a moment; reconnecting\n\n`, {
    status: 200,
    headers: STREAM_HEADERS,
  });
}
