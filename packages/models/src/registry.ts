import { baselineRsi001 } from './builtin/baseline-rsi-001';
import { bollingerRevert001 } from './builtin/bollinger-revert-001';
import { emaTrend001 } from './builtin/ema-trend-001';
import { logreg001 } from './builtin/logreg-001';
import { macdCross001 } from './builtin/macd-cross-001';
import type { Model } from './types';

/**
 * Every built-in model, in the order answers are listed. To add a model, add its file under `builtin/` and its
 * line here; `registry.test.ts` fails when a file under `builtin/` is not listed.
 */
export const BUILTIN_MODELS: readonly Model[] = [
  baselineRsi001,
  macdCross001,
  bollingerRevert001,
  emaTrend001,
  logreg001,
];

export interface ModelRegistry {
  /** Every model, in registration order. */
  list(): readonly Model[];
  /** The model with this id, or undefined. */
  find(id: string): Model | undefined;
  /** Ids among `ids` that are not registered. */
  unknownIds(ids: readonly string[]): string[];
}

export function createModelRegistry(models: readonly Model[] = BUILTIN_MODELS): ModelRegistry {
  const byId = new Map<string, Model>();
  for (const model of models) {
    if (byId.has(model.id)) throw new Error(`Model "${model.id}" is registered twice`);
    byId.set(model.id, model);
  }
  return {
    list: () => models,
    find: (id) => byId.get(id),
    unknownIds: (ids) => ids.filter((id) => !byId.has(id)),
  };
}
