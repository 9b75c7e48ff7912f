/**
 * Wall time per stage of one image's analysis, summed over the stage's calls: the per-stage breakdown
 * the eval and the bench print (docs/engine.md, "Where the time goes"). Costs two clock reads a stage.
 */
export type Stage =
  'decode' | 'resize' | 'whole' | 'edge' | 'tiles' | 'closeLooks' | 'verify' | 'padded' | 'align' | 'embed';

export class Spans {
  readonly ms: Partial<Record<Stage, number>> = {};

  async time<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.ms[stage] = (this.ms[stage] ?? 0) + performance.now() - t0;
    }
  }
}
