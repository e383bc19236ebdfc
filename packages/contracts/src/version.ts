/** The contracts version this package implements. Sent as `X-Contracts-Version` by every client. */
export const CONTRACTS_VERSION = '0.16.4';

/** Human-readable range of versions a server built on this package accepts. */
export const SUPPORTED_CONTRACTS_RANGE = '0.16.x';

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.-]+)?$/;

/**
 * True when `version` may talk to this package: same major and minor (0.x versions break on minor),
 * any patch. A malformed version string is incompatible.
 */
export function isCompatibleVersion(version: string, current: string = CONTRACTS_VERSION): boolean {
  const a = SEMVER.exec(version.trim());
  const b = SEMVER.exec(current);
  if (!a || !b) return false;
  return a[1] === b[1] && a[2] === b[2];
}
