export { type BuildAppOptions, buildApp } from './app';
export { type Env, EnvSchema, parseEnv } from './env';
export { type ApiServer, startApiServer } from './server';
