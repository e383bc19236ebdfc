import type { Model } from '@neuronetiq/contracts';
import type { Context } from '../context';
import { CliError, table } from '../output';
import { performanceTable } from './performance';

const modelColumns = [
  { header: 'owner', value: (m: Model) => m.owner },
  { header: 'model', value: (m: Model) => m.model_id },
  { header: 'name', value: (m: Model) => m.name },
  { header: 'visibility', value: (m: Model) => m.visibility },
  { header: 'created', value: (m: Model) => m.created_at.slice(0, 16).replace('T', ' ') },
];

export async function listModels(ctx: Context, o: { owner?: string; mine?: boolean; limit: number }): Promise<void> {
  const owner = o.mine ? await ctx.owner() : o.owner;
  const models = await ctx.client().listModels({ ...(owner ? { owner } : {}), limit: o.limit });
  ctx.out.data(models);
  ctx.out.say(
    models.length ? table(models, modelColumns) : 'no models yet; register one with `mp models create <id> --name …`',
  );
}

export async function createModel(
  ctx: Context,
  o: { id: string; name: string; description: string; private?: boolean },
): Promise<void> {
  const model = await ctx.client().registerModel({
    model_id: o.id,
    name: o.name,
    description: o.description,
    visibility: o.private ? 'private' : 'public',
  });
  ctx.out.data(model);
  ctx.out.say(
    `${ctx.out.green('✓')} Registered ${ctx.out.bold(`${model.owner}/${model.model_id}`)} (${model.visibility})`,
  );
}

export async function showModel(ctx: Context, o: { id: string; owner?: string }): Promise<void> {
  const owner = o.owner ?? (await ctx.owner());
  const client = ctx.client();
  const model = (await client.listModels({ owner, limit: 1000 })).find((m) => m.model_id === o.id);
  if (!model) {
    throw new CliError(`no model "${o.id}" of owner "${owner}" is visible to you; list them with \`mp models list\``);
  }
  const records = await client.performance({ owner, model_id: o.id });
  const signals =
    model.owner === (await ctx.owner().catch(() => null)) ? await client.listSignals({ model_id: o.id, limit: 5 }) : [];
  ctx.out.data({ ...model, track_records: records, recent_signals: signals });
  ctx.out.say(`${ctx.out.bold(`${model.owner}/${model.model_id}`)}  ${model.name}  (${model.visibility})`);
  if (model.description) ctx.out.say(model.description);
  ctx.out.say(`registered ${model.created_at}`);
  ctx.out.say('');
  ctx.out.say(records.length ? performanceTable(records) : 'no scored signals yet');
  if (signals.length) {
    ctx.out.say('');
    ctx.out.say(
      table(signals, [
        { header: 'bar', value: (s) => s.bar_ts },
        { header: 'symbol', value: (s) => s.symbol },
        { header: 'tf', value: (s) => s.timeframe },
        { header: 'decision', value: (s) => s.decision },
        { header: 'confidence', value: (s) => s.confidence, align: 'right' },
      ]),
    );
  }
}
