import type { DeviceCodeRequest, DeviceCodeResponse } from '@neuronetiq/contracts';
import { isUserCodeTaken, repos } from '@neuronetiq/db';
import type { ApiDeps } from '../deps';
import { hashCode, hashUserCode, newDeviceCode, newUserCode } from './device-codes';

const SERVICE = { role: 'service_role' as const, claims: {} };

/** Starts a device login (anonymous): a secret device code for the CLI and a short user code for the person. */
export async function requestDeviceCode(deps: ApiDeps, req: { input: DeviceCodeRequest }): Promise<DeviceCodeResponse> {
  const { verificationUri, intervalS, expiresInS } = deps.deviceFlow;
  const now = new Date(deps.now());
  for (let attempt = 0; ; attempt++) {
    const deviceCode = newDeviceCode();
    const userCode = newUserCode();
    try {
      await deps.db.asRequest(SERVICE, async (tx) => {
        await repos.deviceCodes.purgeExpired(tx, now);
        await repos.deviceCodes.create(tx, {
          deviceCodeHash: hashCode(deviceCode),
          userCodeHash: hashUserCode(userCode),
          clientName: req.input.client_name,
          createdAt: now,
          expiresAt: new Date(now.getTime() + expiresInS * 1000),
          intervalS,
        });
      });
    } catch (err) {
      // Another pending login drew the same user code: draw again (rare: 2.6e10 codes).
      if (isUserCodeTaken(err) && attempt < 5) continue;
      throw err;
    }
    const complete = new URL(verificationUri);
    complete.searchParams.set('user_code', userCode);
    return {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: complete.toString(),
      expires_in: expiresInS,
      interval: intervalS,
    };
  }
}
