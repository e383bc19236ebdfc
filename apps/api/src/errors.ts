// The api's use cases import their error type from here; it is the services' one AppError.
export { AppError, validationError } from '@neuronetiq/service';
