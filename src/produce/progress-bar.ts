/** A progress bar with rate and ETA on a terminal; a line every few seconds elsewhere. */
import type { Io } from '../io/io';

export class ProgressBar {
  private readonly started = Date.now();
  private lastLine = 0;

  constructor(
    private readonly io: Io,
    private readonly label: string,
    private readonly total?: number,
  ) {}

  update(done: number): void {
    const now = Date.now();
    if (!this.io.interactive && now - this.lastLine < 5000) return;
    this.lastLine = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    let text = `${this.label} ${done.toLocaleString('en-US')}`;
    if (this.total) {
      const share = Math.min(1, done / this.total);
      const width = 24;
      const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
      const eta = rate > 0 ? Math.max(0, (this.total - done) / rate) : 0;
      text = `${this.label} [${bar}] ${(share * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} ETA ${eta.toFixed(0)}s`;
    }
    text += ` ${Math.round(rate).toLocaleString('en-US')} rec/s`;
    this.io.stderr(this.io.interactive ? `\r\x1b[2K${text}` : `${text}\n`);
  }

  done(sent: number): void {
    const seconds = (Date.now() - this.started) / 1000;
    const line = `✓ ${this.label} ${sent.toLocaleString('en-US')} records in ${seconds.toFixed(1)}s (${Math.round(sent / Math.max(seconds, 0.001)).toLocaleString('en-US')} rec/s)\n`;
    this.io.stderr(this.io.interactive ? `\r\x1b[2K${line}` : line);
  }
}
