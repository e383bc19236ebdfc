export { AppError, type AppErrorOptions, validationError } from './app-error';
export { installContractsVersion } from './contracts-version';
export {
  clientErrorHandler,
  type ErrorHandlingOptions,
  installErrorHandling,
  sendError,
  toAppError,
} from './error-handler';
export { type HealthServerOptions, type RunningServer, startHealthServer } from './health-server';
export { installJsonBodyParser } from './json-body';
export { errorResponses, NoContent, type ServiceApp, withSchemas } from './routes';
export { jsonSerializerCompiler, parseOrThrow, zodValidatorCompiler } from './validation';
