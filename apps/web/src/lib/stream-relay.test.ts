// The web's stream relay on a passing failure of the api: Chromium's EventSource must come back by itself and resume
// after the last event it had. Shown against a loopback server whose first answers are failures: once with the relay's
// reconnectLater() (the browser reconnects and gets the events after its Last-Event-ID) and once with the 502 the
// relay used to send (the browser gives up: the page would go quiet until reloaded).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { browserSkipReason, launchBrowser, withPage } from '@neuronetiq/testing-web';
import { isPassingFailure, reconnectLater } from './stream-relay';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

/** A server whose /stream answers `failure` on calls 2 and 3 and otherwise sends the two events after Last-Event-ID. */
async function flakyStream(failure: () => Response): Promise<{ server: Server; url: string; lastIds: string[] }> {
  const lastIds: string[] = [];
  let calls = 0;
  const server = createServer(async (req, res) => {
    if (req.url !== '/stream') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>t</title>');
      return;
    }
    calls++;
    const last = Number(req.headers['last-event-id'] ?? 0);
    lastIds.push(String(req.headers['last-event-id'] ?? ''));
    const answer =
      calls === 2 || calls === 3
        ? failure()
        : new Response(
            `retry: 200\nid: ${last + 1}\nevent: signal\ndata: {}\n\nid: ${last + 2}\nevent: signal\ndata: {}\n\n`,
            {
              headers: { 'content-type': 'text/event-stream' },
            },
          );
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lastIds };
}

/** Opens an EventSource in the page and returns the event ids it got within `ms`. */
async function idsSeen(browser: Browser, url: string, ms: number): Promise<number[]> {
  return withPage(browser, { baseURL: url }, async (page) => {
    await page.goto('/');
    return page.evaluate(
      (wait) =>
        new Promise<number[]>((done) => {
          const ids: number[] = [];
          const source = new EventSource('/stream');
          source.addEventListener('signal', (e) => ids.push(Number((e as MessageEvent).lastEventId)));
          setTimeout(() => {
            source.close();
            done(ids);
          }, wait);
        }),
      ms,
    );
  });
}

test('a passing failure is 5xx, 429 or no answer; 401 and 400 are not', () => {
  for (const s of [undefined, 500, 502, 503, 504, 429]) assert.ok(isPassingFailure(s), String(s));
  for (const s of [400, 401, 403, 404]) assert.ok(!isPassingFailure(s), String(s));
});

describe('EventSource in Chromium across a failure of the api', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('after reconnectLater() it comes back by itself and resumes after its Last-Event-ID', async () => {
    const { server, url, lastIds } = await flakyStream(() => reconnectLater(200));
    try {
      const ids = await idsSeen(browser, url, 4000);
      assert.deepEqual(ids.slice(0, 4), [1, 2, 3, 4], 'events 1–2, two failures, then 3–4: none missed or repeated');
      assert.deepEqual(lastIds.slice(0, 4), ['', '2', '2', '2'], 'each reconnect names the last event it had');
    } finally {
      server.close();
    }
  });

  test('after a 502 (what the relay answered before) it gives up: no event after the failure', async () => {
    const { server, url } = await flakyStream(() => Response.json({ error: 'UPSTREAM_UNAVAILABLE' }, { status: 502 }));
    try {
      const ids = await idsSeen(browser, url, 2500);
      assert.deepEqual(ids, [1, 2]);
    } finally {
      server.close();
    }
  });
});
