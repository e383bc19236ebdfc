export * from '../clock';
export * from './fake-services';
