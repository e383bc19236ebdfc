import { CONTRACTS_VERSION, isCompatibleVersion, SUPPORTED_CONTRACTS_RANGE } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import { AppError } from './app-error';

/**
 * Every response says which contracts it speaks (`X-Contracts-Version`); a request that names an incompatible version is
 * refused before anything else runs, since its body may mean something else.
 */
export function installContractsVersion(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-contracts-version', CONTRACTS_VERSION);
    const version = request.headers['x-contracts-version'];
    if (version !== undefined && (Array.isArray(version) || !isCompatibleVersion(version))) {
      throw new AppError('CONTRACT_VERSION_UNSUPPORTED', {
        message: `X-Contracts-Version "${String(version)}" is not supported; this server speaks ${SUPPORTED_CONTRACTS_RANGE} (current ${CONTRACTS_VERSION}); upgrade @neuronetiq/contracts`,
        details: [{ path: 'headers.x-contracts-version', message: `must be ${SUPPORTED_CONTRACTS_RANGE}` }],
      });
    }
  });
}
