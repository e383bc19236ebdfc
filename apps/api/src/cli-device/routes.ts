import {
  DeviceApproveResultSchema,
  DeviceApproveSchema,
  DeviceCodeRequestSchema,
  DeviceCodeResponseSchema,
  DeviceTokenErrorResponseSchema,
  DeviceTokenRequestSchema,
  DeviceTokenResponseSchema,
  ErrorResponseSchema,
} from '@neuronetiq/contracts';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { approveDeviceCode } from './approve-device-code';
import { pollDeviceToken } from './poll-device-token';
import { requestDeviceCode } from './request-device-code';

const anyone = { access: { principal: 'anyone' } } as const;
const tags = ['cli'];

/** `mp login`'s device flow (RFC 8628): code (anonymous), token (polled by the CLI), approve (a signed-in person). */
export function cliDeviceRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.post(
    '/api/cli/device/code',
    {
      config: anyone,
      schema: {
        summary: 'Start `mp login` (RFC 8628 device authorization request; anonymous)',
        tags,
        // No body asks for the defaults.
        body: z.preprocess((input) => input ?? {}, DeviceCodeRequestSchema),
        response: {
          200: DeviceCodeResponseSchema.describe('a device code for the CLI and a user code for the person'),
          ...errorResponses(),
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return requestDeviceCode(deps, { input: req.body });
    },
  );

  app.post(
    '/api/cli/device/token',
    {
      config: anyone,
      schema: {
        summary: 'Poll for the key of an approved login (RFC 8628 §3.4; anonymous, at most once per `interval`)',
        tags,
        body: DeviceTokenRequestSchema,
        response: {
          ...errorResponses(),
          200: DeviceTokenResponseSchema.describe('approved: a new vendor key, given out this once'),
          400: z
            .union([DeviceTokenErrorResponseSchema, ErrorResponseSchema])
            .describe(
              'authorization_pending, slow_down, expired_token or access_denied (RFC 8628 §3.5); a malformed body is a VALIDATION_ERROR in the error shape',
            ),
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const outcome = await pollDeviceToken(deps, { deviceCode: req.body.device_code });
      if (outcome.ok) return outcome.token;
      return reply.code(400).send({
        success: false,
        error: outcome.error,
        error_description: outcome.message,
        message: outcome.message,
        ...(outcome.interval ? { interval: outcome.interval } : {}),
        request_id: String(req.id),
      });
    },
  );

  app.post(
    '/api/cli/device/approve',
    {
      config: { access: { principal: 'authenticated' } },
      schema: {
        summary: 'Approve or deny the code `mp login` shows (a signed-in user session)',
        tags,
        body: DeviceApproveSchema,
        response: {
          200: DeviceApproveResultSchema.describe('decided'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
        },
      },
    },
    async (req) => ({
      success: true as const,
      data: await approveDeviceCode(deps, { principal: req.principal, input: req.body }),
    }),
  );
}
