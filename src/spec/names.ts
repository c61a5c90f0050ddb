/** Names Flink adds to a query, which neither a spec nor the generated SQL may give anything else. */

/** The columns a window table function adds: no user or generated column may take these names. */
export const WINDOW_COLUMNS: ReadonlySet<string> = new Set(['window_start', 'window_end', 'window_time']);
