/** Small helpers commands share for what they print. */
import { formatDiagnostic, type Diagnostic } from '../errors';
import type { Io } from '../io/io';

export function printDiagnostics(io: Io, ds: readonly Diagnostic[], label = 'error'): void {
  for (const d of ds) io.stderr(`${formatDiagnostic(d)}${label === 'warning' ? ' (warning)' : ''}\n`);
}
