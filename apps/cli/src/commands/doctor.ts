import { HttpError } from '@neuronetiq/client';
import { CONTRACTS_VERSION, isCompatibleVersion, SUPPORTED_CONTRACTS_RANGE } from '@neuronetiq/contracts';
import { configMode } from '../config';
import type { Context } from '../context';
import { CliError, describeError } from '../output';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a failed check. */
  fix?: string;
}

/** `mp doctor`: checks the config, the api, the contracts version and the credentials, and says what to fix. */
export async function doctor(ctx: Context, version: string): Promise<void> {
  const checks: Check[] = [];
  const mode = configMode(ctx.configFile);
  if (mode === null) {
    checks.push({
      name: 'config',
      ok: ctx.keySource === 'env',
      detail: `no ${ctx.configFile}`,
      ...(ctx.keySource === 'env' ? {} : { fix: 'run `mp login`' }),
    });
  } else if ((mode & 0o077) !== 0) {
    checks.push({
      name: 'config',
      ok: false,
      detail: `${ctx.configFile} is readable by others (mode ${mode.toString(8)})`,
      fix: `run \`chmod 600 ${ctx.configFile}\``,
    });
  } else {
    checks.push({ name: 'config', ok: true, detail: `${ctx.configFile} (mode 600)` });
  }

  let reachable = false;
  try {
    const probe = await ctx.anonymous().probe();
    reachable = probe.ok;
    checks.push({
      name: 'api',
      ok: probe.ok,
      detail: `${ctx.apiUrl} answered ${probe.status}`,
      ...(probe.ok ? {} : { fix: 'check --api-url / MP_API_URL: it must be the Infrastructure API' }),
    });
    if (probe.ok) {
      const server = probe.contractsVersion;
      const compatible = server !== null && isCompatibleVersion(server);
      checks.push({
        name: 'contracts',
        ok: compatible,
        detail: `api speaks ${server ?? 'no version (not our api?)'}, mp ${version} speaks ${CONTRACTS_VERSION} (${SUPPORTED_CONTRACTS_RANGE})`,
        ...(compatible ? {} : { fix: 'install the mp that matches this api (npm install -g mp@latest)' }),
      });
    }
  } catch (err) {
    checks.push({
      name: 'api',
      ok: false,
      detail: describeError(err, ctx.apiUrl).message,
      fix: 'start the platform (`npm start`) or point mp at yours with --api-url or MP_API_URL',
    });
  }

  if (reachable) {
    if (!ctx.token) {
      checks.push({ name: 'credentials', ok: false, detail: 'no API key', fix: 'run `mp login` (or set MP_API_KEY)' });
    } else {
      try {
        const me = await ctx.client().me();
        checks.push({
          name: 'credentials',
          ok: true,
          detail: `${me.kind === 'service' ? 'the service key' : me.owner} (from ${ctx.keySource === 'env' ? 'MP_API_KEY' : 'the config'})`,
        });
      } catch (err) {
        const refused = err instanceof HttpError && err.status === 401;
        checks.push({
          name: 'credentials',
          ok: false,
          detail: refused ? 'the api refused the key (revoked or invalid)' : describeError(err, ctx.apiUrl).message,
          fix: ctx.keySource === 'env' ? 'set MP_API_KEY to a live key' : 'run `mp login` again',
        });
      }
    }
    try {
      const res = await fetch(`${ctx.apiUrl}/health/ready`, { signal: AbortSignal.timeout(10_000) });
      checks.push({
        name: 'database',
        ok: res.ok,
        detail: res.ok
          ? 'reachable, migrations current'
          : `not ready (${res.status}): ${(await res.text()).slice(0, 200)}`,
        ...(res.ok ? {} : { fix: 'ask the platform operator: the api cannot serve requests yet' }),
      });
    } catch (err) {
      checks.push({ name: 'database', ok: false, detail: describeError(err, ctx.apiUrl).message });
    }
  }

  const failed = checks.filter((c) => !c.ok);
  ctx.out.data({ ok: failed.length === 0, api_url: ctx.apiUrl, checks });
  for (const c of checks) {
    ctx.out.say(
      `${c.ok ? ctx.out.green('✓') : ctx.out.red('✗')} ${c.name.padEnd(12)} ${c.detail}${c.fix ? `\n  ${ctx.out.bold('fix:')} ${c.fix}` : ''}`,
    );
  }
  if (failed.length)
    throw new CliError(`${failed.length} check(s) failed: ${failed.map((c) => c.fix ?? c.name).join('; ')}`);
}
