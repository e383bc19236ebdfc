/** A post-sign-in destination: a path on this site only (no scheme, no `//host`, no backslash tricks). */
export function safeNext(next: string | null | undefined, fallback = '/marketplace/vendor'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\') || next.length > 500) {
    return fallback;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  return /[\u0000-\u001f]/.test(next) ? fallback : next;
}
