/**
 * How much parallel CPU the machine gives right now: N threads spinning for a while, CPU time over
 * wall time. On an idle 2-core machine about 2.0; when other jobs share the cores, less. A pool
 * cannot beat this, so the benches print it next to their ratios.
 */
import { Worker } from 'node:worker_threads';

export async function machineParallelism(threads: number, ms = 2000): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(`const t = Date.now(); let x = 0; while (Date.now() - t < ${ms}) x++;`, { eval: true });
          w.on('exit', () => resolve());
          w.on('error', reject);
        }),
    ),
  );
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / (performance.now() - t0);
}
