/** Mapping SQLite rows to plain objects: a NULL column becomes an absent optional field. */
export function opt<K extends string, V>(key: K, v: V | null): { [P in K]?: V } {
  return (v === null ? {} : { [key]: v }) as { [P in K]?: V };
}
