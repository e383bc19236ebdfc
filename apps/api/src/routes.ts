import type { ServiceApp } from '@neuronetiq/service';
import { adminRoutes } from './admin/routes';
import { auditRoutes } from './audit/routes';
import { cliDeviceRoutes } from './cli-device/routes';
import { consensusRoutes } from './consensus/routes';
import type { ApiDeps } from './deps';
import { healthRoutes } from './health/routes';
import { keyRoutes } from './keys/routes';
import { marketdataRoutes } from './marketdata/routes';
import { marketplaceRoutes } from './marketplace/routes';
import { meRoutes } from './me/routes';
import { modelRoutes } from './models/routes';
import { performanceRoutes } from './performance/routes';
import { signalRoutes } from './signals/routes';
import { streamRoutes } from './stream/routes';
import { subscriptionRoutes } from './subscriptions/routes';

/**
 * Every feature's routes, registered in one place. A route declares who may call it (`config.access`) and its schemas
 * (body, querystring, params, headers, every response status) from `@neuronetiq/contracts`: Fastify validates with
 * them and the OpenAPI document is generated from them (see ARCHITECTURE.md, "Adding an endpoint").
 */
const FEATURES: ReadonlyArray<(app: ServiceApp, deps: ApiDeps) => void> = [
  healthRoutes,
  marketdataRoutes,
  signalRoutes,
  consensusRoutes,
  modelRoutes,
  performanceRoutes,
  meRoutes,
  keyRoutes,
  auditRoutes,
  adminRoutes,
  marketplaceRoutes,
  streamRoutes,
  cliDeviceRoutes,
  subscriptionRoutes,
];

export function registerRoutes(app: ServiceApp, deps: ApiDeps): void {
  for (const register of FEATURES) register(app, deps);
}
