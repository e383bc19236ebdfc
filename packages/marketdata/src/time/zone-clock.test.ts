import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { civilToWallMs, epochToMs, parseDateTime } from './timestamps';
import { createZoneClock, isValidZone } from './zone-clock';

const wall = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);
const iso = (ms: number) => new Date(ms).toISOString();

describe('createZoneClock', () => {
  test('New York: EST in winter, EDT in summer', () => {
    const ny = createZoneClock('America/New_York');
    assert.deepEqual(ny.resolve(wall(2017, 1, 6, 8, 30)), { kind: 'exact', ms: Date.parse('2017-01-06T13:30:00Z') });
    assert.deepEqual(ny.resolve(wall(2017, 6, 2, 8, 30)), { kind: 'exact', ms: Date.parse('2017-06-02T12:30:00Z') });
  });

  test('the skipped spring-forward hour does not exist; the repeated fall-back hour names two instants', () => {
    const ny = createZoneClock('America/New_York');
    assert.deepEqual(ny.resolve(wall(2017, 3, 12, 2, 30)), { kind: 'nonexistent' });
    assert.deepEqual(ny.resolve(wall(2017, 3, 12, 3, 0)), { kind: 'exact', ms: Date.parse('2017-03-12T07:00:00Z') });
    assert.deepEqual(ny.resolve(wall(2017, 11, 5, 1, 30)), {
      kind: 'ambiguous',
      ms: Date.parse('2017-11-05T05:30:00Z'),
      laterMs: Date.parse('2017-11-05T06:30:00Z'),
    });
  });

  test('agrees with luxon on every quarter hour of a year in zones with odd rules (cache correctness)', () => {
    for (const zone of [
      'America/New_York',
      'Europe/London',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'America/Santiago',
    ]) {
      const clock = createZoneClock(zone);
      for (let w = wall(2023, 1, 1); w < wall(2024, 1, 1); w += 15 * 60_000) {
        const r = clock.resolve(w);
        const d = new Date(w);
        const lx = DateTime.fromObject(
          {
            year: d.getUTCFullYear(),
            month: d.getUTCMonth() + 1,
            day: d.getUTCDate(),
            hour: d.getUTCHours(),
            minute: d.getUTCMinutes(),
          },
          { zone },
        );
        if (r.kind === 'exact') assert.equal(iso(r.ms), iso(lx.toMillis()), `${zone} ${iso(w)}`);
        else if (r.kind === 'ambiguous') assert.ok([r.ms, r.laterMs].includes(lx.toMillis()), `${zone} ${iso(w)}`);
        // luxon moves a skipped reading forward; such readings are exactly the ones whose UTC offset changes.
        else assert.notEqual(lx.hour * 60 + lx.minute, d.getUTCHours() * 60 + d.getUTCMinutes(), `${zone} ${iso(w)}`);
      }
    }
  });

  test('UTC and fixed offsets are fixed; an unknown zone is refused by name', () => {
    assert.equal(createZoneClock('UTC').isFixed, true);
    assert.deepEqual(createZoneClock('UTC+3').resolve(wall(2024, 1, 1, 3)), { kind: 'exact', ms: wall(2024, 1, 1) });
    assert.throws(() => createZoneClock('Europe/Atlantis'), /Unknown time zone "Europe\/Atlantis"/);
    assert.equal(isValidZone('America/New_York'), true);
    assert.equal(isValidZone('Nowhere/Land'), false);
    assert.equal(isValidZone(''), false);
  });
});

describe('timestamps', () => {
  test('epoch units are told by magnitude', () => {
    assert.equal(epochToMs('1502942400.0'), 1_502_942_400_000);
    assert.equal(epochToMs('1502942400'), 1_502_942_400_000);
    assert.equal(epochToMs('1623283200000'), 1_623_283_200_000);
    assert.equal(epochToMs('1735689600000000'), 1_735_689_600_000);
    assert.equal(epochToMs('1735689600000000000'), 1_735_689_600_000);
    assert.ok(Number.isNaN(epochToMs('')));
    assert.ok(Number.isNaN(epochToMs('12abc')));
  });

  test('impossible dates are refused instead of rolling over', () => {
    assert.ok(Number.isNaN(civilToWallMs(2017, 2, 29)));
    assert.equal(civilToWallMs(2016, 2, 29), Date.UTC(2016, 1, 29));
    assert.ok(Number.isNaN(civilToWallMs(2017, 1, 1, 24)));
    assert.equal(parseDateTime('2017-02-30'), null);
  });

  test('ISO-like strings with and without offsets', () => {
    assert.deepEqual(parseDateTime('2024-01-02T11:00:00+01:00'), {
      wallMs: wall(2024, 1, 2, 11),
      dateOnly: false,
      offsetMin: 60,
    });
    assert.deepEqual(parseDateTime('2024-01-02 10:00'), {
      wallMs: wall(2024, 1, 2, 10),
      dateOnly: false,
      offsetMin: null,
    });
    assert.deepEqual(parseDateTime('2024.01.02'), { wallMs: wall(2024, 1, 2), dateOnly: true, offsetMin: null });
    assert.deepEqual(parseDateTime('20240102 103000'), {
      wallMs: Date.UTC(2024, 0, 2, 10, 30),
      dateOnly: false,
      offsetMin: null,
    });
    assert.equal(parseDateTime('2024-01/02'), null, 'mixed separators');
    assert.equal(parseDateTime('yesterday'), null);
  });
});
