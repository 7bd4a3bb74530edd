/**
 * A header-derived string cut to its column's length (in characters, as varchar counts them),
 * without leaving half a surrogate pair at the end. `null` stays `null`.
 */
export function clip<T extends string | null | undefined>(value: T, max: number): T {
  if (value == null || value.length <= max) return value;
  let cut = value.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut as T;
}
