import type { ScanProgress } from '../../core/services/scan-service.js';

/**
 * Scan progress: a redrawn bar with rate and ETA on a terminal; JSON lines with --json; nothing but
 * the final summary otherwise (no spinners or control codes in logs and pipes).
 */
export function progressReporter(mode: 'tty' | 'json' | 'quiet'): {
  update: (p: ScanProgress) => void;
  end: () => void;
} {
  const start = Date.now();
  let last = 0;
  return {
    update(p) {
      const handled = p.done + p.skipped + p.failed;
      if (mode === 'json') {
        process.stdout.write(`${JSON.stringify({ type: 'progress', ...p, handled })}\n`);
        return;
      }
      if (mode !== 'tty') return;
      const now = Date.now();
      if (now - last < 100 && handled < p.total) return;
      last = now;
      const elapsed = (now - start) / 1000;
      const rate = elapsed > 0 ? p.done / elapsed : 0;
      const remaining = p.total - handled;
      const eta = rate > 0 ? Math.round(remaining / rate) : null;
      const width = Math.max(10, Math.min(30, (process.stdout.columns ?? 80) - 60));
      const filled = p.total > 0 ? Math.round((handled / p.total) * width) : width;
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      const line = `[${bar}] ${handled}/${p.total}  ${rate.toFixed(1)} img/s  ETA ${eta === null ? '--' : `${eta}s`}  failed ${p.failed}`;
      process.stdout.write(`\r${line.slice(0, (process.stdout.columns ?? 80) - 1)}\u001b[K`);
    },
    end() {
      if (mode === 'tty') process.stdout.write('\n');
    },
  };
}
