import {
  DeviceApproveResultSchema,
  DeviceApproveSchema,
  DeviceCodeRequestSchema,
  DeviceCodeResponseSchema,
  DeviceTokenErrorResponseSchema,
  DeviceTokenRequestSchema,
  DeviceTokenResponseSchema,
} from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { parseOrThrow } from '../http/validate';
import { approveDeviceCode } from './approve-device-code';
import { pollDeviceToken } from './poll-device-token';
import { requestDeviceCode } from './request-device-code';

/** `mp login`'s device flow (RFC 8628): code (anonymous), token (polled by the CLI), approve (a signed-in person). */
export function registerCliDeviceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/api/cli/device/code', async (req, reply) => {
    const input = parseOrThrow(DeviceCodeRequestSchema, req.body ?? {}, 'body');
    reply.header('cache-control', 'no-store');
    return requestDeviceCode(deps, { input });
  });

  app.post('/api/cli/device/token', async (req, reply) => {
    const { device_code } = parseOrThrow(DeviceTokenRequestSchema, req.body, 'body');
    reply.header('cache-control', 'no-store');
    const outcome = await pollDeviceToken(deps, { deviceCode: device_code });
    if (outcome.ok) return outcome.token;
    return reply.code(400).send({
      success: false,
      error: outcome.error,
      error_description: outcome.message,
      message: outcome.message,
      ...(outcome.interval ? { interval: outcome.interval } : {}),
      request_id: String(req.id),
    });
  });

  app.post('/api/cli/device/approve', async (req) => {
    const input = parseOrThrow(DeviceApproveSchema, req.body, 'body');
    return { success: true, data: await approveDeviceCode(deps, { principal: req.principal, input }) };
  });
}

const jsonSchema = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
const body = (s: z.ZodType) => ({ content: { 'application/json': { schema: jsonSchema(s, 'input') } } });
const ok = (description: string, s: z.ZodType) => ({
  description,
  content: { 'application/json': { schema: jsonSchema(s, 'output') } },
});
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The OpenAPI paths of these routes, generated from the schemas the handlers parse with. */
export const cliDeviceOpenApiPaths = {
  '/api/cli/device/code': {
    post: {
      summary: 'Start `mp login` (RFC 8628 device authorization request; anonymous)',
      security: [],
      requestBody: body(DeviceCodeRequestSchema),
      responses: {
        '200': ok('a device code for the CLI and a user code for the person', DeviceCodeResponseSchema),
        '400': error('VALIDATION_ERROR: `details` names the field'),
        '429': error('RATE_LIMITED: see Retry-After'),
      },
    },
  },
  '/api/cli/device/token': {
    post: {
      summary: 'Poll for the key of an approved login (RFC 8628 §3.4; anonymous, at most once per `interval`)',
      security: [],
      requestBody: body(DeviceTokenRequestSchema),
      responses: {
        '200': ok('approved: a new vendor key, given out this once', DeviceTokenResponseSchema),
        '400': ok(
          'authorization_pending, slow_down, expired_token or access_denied (RFC 8628 §3.5); a malformed body is a VALIDATION_ERROR in the Error shape',
          DeviceTokenErrorResponseSchema,
        ),
        '429': error('RATE_LIMITED: see Retry-After'),
      },
    },
  },
  '/api/cli/device/approve': {
    post: {
      summary: 'Approve or deny the code `mp login` shows (a signed-in user session)',
      requestBody: body(DeviceApproveSchema),
      responses: {
        '200': ok('decided', DeviceApproveResultSchema),
        '400': error('VALIDATION_ERROR: `details` names the field'),
        '401': error('UNAUTHENTICATED'),
        '403': error('FORBIDDEN: only a user session may approve'),
        '404': error('NOT_FOUND: no pending login has that code'),
      },
    },
  },
};
