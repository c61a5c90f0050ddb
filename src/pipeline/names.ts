/** Names Flink adds to a query, which neither a spec nor the generated SQL may give anything else. */

/** What a table, column, event, metric or target name must be: letters, digits and '_', not starting with a digit. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The columns a window table function adds: no user or generated column may take these names. */
export const WINDOW_COLUMNS: ReadonlySet<string> = new Set(['window_start', 'window_end', 'window_time']);
