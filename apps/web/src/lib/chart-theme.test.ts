// The small charts' time scale in Chromium with the real lightweight-charts: the first time label stays whole.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { browserSkipReason, launchBrowser } from '@neuronetiq/testing-web';
import type { Browser } from 'playwright-core';
import { SMALL_CHART_TIME_SCALE } from './chart-theme';

// The package exports no path to its standalone build: found beside its package.json.
const LIBRARY = readFileSync(
  join(
    dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json')),
    'dist/lightweight-charts.standalone.production.js',
  ),
  'utf8',
);

/**
 * Draws a 300 px line chart of 2 hours of 1m points starting at midnight UTC (a day label on the first point) with the
 * given time scale, every label the same text, fitted to its content; answers the widths of the labels' ink on the
 * time axis, left to right (a label cut by the edge is narrower than the others).
 */
async function labelWidths(browser: Browser, timeScale: object): Promise<number[]> {
  const page = await browser.newPage({ viewport: { width: 400, height: 300 }, deviceScaleFactor: 1 });
  try {
    await page.setContent('<div id="c" style="width:300px;height:180px"></div>');
    await page.addScriptTag({ content: LIBRARY });
    return (await page.evaluate(`(() => {
      const { createChart, LineSeries } = window.LightweightCharts;
      const chart = createChart(document.getElementById('c'), {
        width: 300, height: 180, layout: { textColor: '#000', background: { color: 'transparent' } },
        timeScale: { ...${JSON.stringify(timeScale)}, tickMarkFormatter: () => 'WWWW' },
      });
      const start = Date.parse('2026-12-06T00:00:00Z') / 1000;
      chart.addSeries(LineSeries).setData(Array.from({ length: 120 }, (_, i) => ({ time: start + 60 * i, value: Math.sin(i / 9) })));
      chart.timeScale().fitContent();
      return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
        const rows = document.querySelectorAll('#c table tr');
        const canvas = rows[rows.length - 1].querySelectorAll('td')[1].querySelector('canvas');
        const { width, height } = canvas;
        const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
        // Columns with ink below the border and tick marks (the labels' band); runs split by 3 empty columns.
        const inked = (x) => { for (let y = 6; y < height; y++) if (data[(y * width + x) * 4 + 3] > 40) return true; return false; };
        const widths = [];
        let start = -1, gap = 0;
        for (let x = 0; x <= width; x++) {
          if (x < width && inked(x)) { if (start < 0) start = x; gap = 0; }
          else if (start >= 0 && (++gap >= 3 || x === width)) { widths.push(x - gap + 1 - start); start = -1; gap = 0; }
        }
        resolve(widths);
      })));
    })()`)) as number[];
  } finally {
    await page.close();
  }
}

describe('the small charts’ time axis in Chromium', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  test('the first time label is drawn whole inside the axis, not cut in half by its left edge', async () => {
    // The defect as it was: a free edge centres the first bar's label on it, part of it outside the canvas.
    const free = await labelWidths(browser, { timeVisible: true });
    assert.ok(free.length >= 3, JSON.stringify(free));
    assert.ok((free[0] as number) < Math.max(...free.slice(1)) - 2, `without fixed edges the first is cut: ${free}`);
    const fixed = await labelWidths(browser, SMALL_CHART_TIME_SCALE);
    assert.ok(fixed.length >= 3, JSON.stringify(fixed));
    assert.ok(Math.abs((fixed[0] as number) - Math.max(...fixed.slice(1))) <= 1, `every label whole: ${fixed}`);
  });
});
