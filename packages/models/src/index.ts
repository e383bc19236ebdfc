export { type BarColumns, BarSeries, fromEnd } from './bar-series';
export { createLogregModel, LOGREG_WEIGHTS, type LogregWeights, LogregWeightsSchema } from './builtin/logreg-001';
export { defineModel, type ModelDefinition, undecided } from './define-model';
export { FEATURE_NAMES, FEATURE_WINDOW_BARS, featureVector } from './logreg/features';
export { BUILTIN_MODELS, createModelRegistry, type ModelRegistry } from './registry';
export {
  type Bar,
  type InsufficientBars,
  isInsufficientBars,
  type Model,
  type ModelOutcome,
  type ModelPrediction,
  type PredictionMeta,
} from './types';
