import type { MarketplaceModelDetail, StoredBar } from '@neuronetiq/contracts';

export type ModelDetail = MarketplaceModelDetail;

/** The api's `{ success, data }` envelope of every read. */
export interface Envelope<T> {
  success: true;
  data: T;
}
export type BarsResponse = Envelope<StoredBar[]>;
