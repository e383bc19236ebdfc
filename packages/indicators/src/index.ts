// @neuronetiq/indicators: TA-Lib-compatible technical indicators. Every batch function takes Float64Array or
// number[] and returns Float64Array(s) of the input's length with NaN during the warm-up; every streaming class
// gives the same numbers bar by bar. See each function's doc comment for its exact definition.
export { CciStream, cci } from './momentum/cci';
export { RocStream, roc } from './momentum/roc';
export { RsiStream, rsi } from './momentum/rsi';
export type { StochasticResult, StochasticValue } from './momentum/stochastic';
export { StochasticStream, stochastic } from './momentum/stochastic';
export { WilliamsRStream, williamsR } from './momentum/williams-r';
export { AdxStream, adx } from './trend/adx';
export { EmaStream, ema } from './trend/ema';
export type { MacdResult, MacdValue } from './trend/macd';
export { MacdStream, macd } from './trend/macd';
export { SmaStream, sma } from './trend/sma';
export { WmaStream, wma } from './trend/wma';
export type { CloseVolume, HighLowClose, HighLowCloseVolume, IndicatorStream } from './types';
export { AtrStream, atr } from './volatility/atr';
export type { BollingerResult, BollingerValue } from './volatility/bollinger';
export { BollingerStream, bollinger } from './volatility/bollinger';
export { ObvStream, obv } from './volume/obv';
export { VwapStream, vwap } from './volume/vwap';
