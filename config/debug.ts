/** `DEBUG=1` (or `true`): print stack traces of start-up failures. No other import, so the CLI's `--help` path stays light. */
export function debugEnabled(source: Record<string, string | undefined> = process.env): boolean {
  return source.DEBUG === '1' || source.DEBUG === 'true';
}
