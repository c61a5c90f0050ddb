/**
 * Progress feedback for anything that takes more than a moment. On a terminal a step redraws
 * in place with elapsed time; elsewhere (CI, logs) each step is one line when it ends.
 */
import type { Io } from './io';

export interface Progress {
  /** Starts a step; returns a function that ends it with an optional result note. */
  step(label: string): (note?: string) => void;
  /** A one-off line. */
  info(line: string): void;
}

export function progress(io: Io, quiet = false): Progress {
  return {
    step(label) {
      if (quiet) return () => {};
      const started = Date.now();
      const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
      let timer: NodeJS.Timeout | undefined;
      if (io.interactive) {
        const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
        let i = 0;
        const draw = () => io.stderr(`\r\x1b[2K${frames[i++ % frames.length]} ${label} ${elapsed()}`);
        draw();
        timer = setInterval(draw, 120);
        timer.unref();
      }
      return (note) => {
        if (timer) clearInterval(timer);
        const line = `✓ ${label}${note ? `: ${note}` : ''} (${elapsed()})\n`;
        io.stderr(io.interactive ? `\r\x1b[2K${line}` : line);
      };
    },
    info(line) {
      if (!quiet) io.stderr(`${line}\n`);
    },
  };
}
