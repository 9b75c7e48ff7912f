/**
 * CPU time per thread of this process, from /proc/self/task (Linux; elsewhere nothing), to say where a
 * scan's CPU goes: the main thread, the engine workers' JavaScript threads, libvips' threads (sharp)
 * and node's other threads (libuv's pool, where sharp's calls and SQLite's
 * statements run; V8's platform threads, which compile and collect).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** Per thread id: its name and the CPU it used so far, ms. */
export type ThreadCpu = Map<string, { name: string; ms: number }>;

export function threadCpu(): ThreadCpu {
  const threads: ThreadCpu = new Map();
  let ids: string[];
  try {
    ids = readdirSync('/proc/self/task');
  } catch {
    return threads;
  }
  for (const id of ids) {
    try {
      const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
      // the name is in parentheses and may hold spaces; fields 14 and 15 (utime, stime) follow it
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      threads.set(id, { name, ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS });
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}

/**
 * The CPU each kind of thread used between two readings. The engine workers are the `workers` busiest
 * node threads besides the main one (node names every thread "node"; they run the detector): a guess
 * that holds while no worker was replaced during the scan. A thread that ended between the readings
 * (a recycled worker) is not counted at all.
 */
export function cpuByKind(before: ThreadCpu, after: ThreadCpu, workers: number) {
  const used = [...after].map(([id, t]) => ({ id, name: t.name, ms: t.ms - (before.get(id)?.ms ?? 0) }));
  const main = used.find((t) => t.id === String(process.pid))?.ms ?? 0;
  const others = used.filter((t) => t.id !== String(process.pid) && t.name === 'node').sort((a, b) => b.ms - a.ms);
  const sum = (ts: { ms: number }[]) => ts.reduce((s, t) => s + t.ms, 0);
  return {
    main,
    engineWorkers: sum(others.slice(0, workers)),
    libvips: sum(used.filter((t) => t.name.startsWith('libvips'))),
    otherNodeThreads: sum(others.slice(workers)),
  };
}
