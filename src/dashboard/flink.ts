/**
 * The health strip's Kafka lag and restarts: read from the job on Flink by the reader `uvpv status`
 * uses (a deployer's `health`), at most once every few seconds, whatever the page's refresh. Without
 * a job health source, or when Flink does not answer, each tile says why it has no number.
 */
import { notAvailable, type PipelineHealth, type RestartsSection, type Section } from '../deploy/health';

export interface FlinkTiles {
  lag: Section<{ topic: string; totalLag: number }>;
  restarts: Section<RestartsSection>;
}

/** Where lag and restarts come from: a target's job health, or why there is none. */
export type FlinkSource = { target: string; pipeline: string; read: () => Promise<PipelineHealth | undefined> } | { reason: string };

/** Flink's REST API refreshes its metrics every 10 s: reading more often than this adds load, not news. */
export const FLINK_EVERY_MS = 5000;

export function tilesOf(h: PipelineHealth | undefined, source: { target: string; pipeline: string }): FlinkTiles {
  if (!h) {
    const none = notAvailable(`no job of ${source.pipeline} on target ${source.target}`);
    return { lag: none, restarts: none };
  }
  const { restarts, kafka } = h;
  return { lag: kafka.available ? { available: true, topic: kafka.topic, totalLag: kafka.totalLag } : kafka, restarts };
}

/** The latest tiles; a read starts when the last one started FLINK_EVERY_MS ago and none is under way. */
export class FlinkReader {
  private last: FlinkTiles;
  private startedAt = -Infinity;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly source: FlinkSource,
    private readonly everyMs = FLINK_EVERY_MS,
    private readonly clock: () => number = Date.now,
  ) {
    const why = notAvailable('reason' in source ? source.reason : 'not read yet');
    this.last = { lag: why, restarts: why };
  }

  /** The tiles as last read; the first call waits for its read, later ones never wait for Flink. */
  async tiles(): Promise<FlinkTiles> {
    const source = this.source;
    if ('reason' in source) return this.last;
    const first = this.startedAt === -Infinity;
    if (!this.reading && this.clock() - this.startedAt >= this.everyMs) {
      this.startedAt = this.clock();
      this.reading = source
        .read()
        .then((h) => {
          this.last = tilesOf(h, source);
        })
        .catch((e: unknown) => {
          const why = notAvailable(`Flink of target ${source.target} does not answer: ${(e as Error).message}`);
          this.last = { lag: why, restarts: why };
        })
        .finally(() => {
          this.reading = undefined;
        });
    }
    if (first) await this.reading;
    return this.last;
  }

  /** Waits for a read under way (closing the dashboard). */
  async settled(): Promise<void> {
    await this.reading;
  }
}
