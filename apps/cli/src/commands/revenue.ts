import type { Context } from '../context';
import { CliError, table } from '../output';

const pounds = (pence: number) => `${pence < 0 ? '-' : ''}£${(Math.abs(pence) / 100).toFixed(2)}`;

/** The running month, UTC, as YYYY-MM. */
export const currentMonth = (nowMs = Date.now()) => new Date(nowMs).toISOString().slice(0, 7);

/** `mp revenue [--month YYYY-MM] [--json|--csv]`: your revenue statement of a month. */
export async function revenue(ctx: Context, o: { month?: string; csv?: boolean }): Promise<void> {
  const month = o.month ?? currentMonth();
  if (o.csv && ctx.out.json) throw new CliError('choose one of --json and --csv');
  const client = ctx.client();
  if (o.csv) {
    ctx.out.streams.stdout.write(await client.revenueCsv(month));
    return;
  }
  const s = await client.revenue(month);
  ctx.out.data(s);
  ctx.out.say(
    `${s.owner} · ${s.month} · ${s.closed ? 'closed (final)' : 'running (changes until the month ends)'} · platform fee ${(s.platform_fee_bps / 100).toFixed(2)}%`,
  );
  if (s.lines.length) {
    ctx.out.say(
      table(s.lines, [
        { header: 'kind', value: (l) => l.kind },
        { header: 'model', value: (l) => l.model_id },
        { header: 'subscriber', value: (l) => l.subscriber },
        { header: 'days', value: (l) => l.active_days, align: 'right' },
        { header: 'gross', value: (l) => pounds(l.gross_pence), align: 'right' },
        { header: 'fee', value: (l) => pounds(l.fee_pence), align: 'right' },
        { header: 'yours', value: (l) => pounds(l.vendor_pence), align: 'right' },
      ]),
    );
  } else {
    ctx.out.say('no subscribers in this month');
  }
  ctx.out.say(`gross ${pounds(s.gross_pence)} · platform fee ${pounds(s.fee_pence)} · yours ${pounds(s.vendor_pence)}`);
}
