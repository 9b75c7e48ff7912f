import type { AppGateway } from './gateway.js';

/**
 * A gateway usable before the workspace is open: every call waits for it. The app draws its first
 * frame while the store (the ORM, ~0.5 s to load) and the queue load behind it.
 */
export function deferredGateway(reviewer: string, ready: Promise<AppGateway>): AppGateway {
  let listener: ((message: string | null) => void) | null = null;
  // Until the workspace is open, the name given; then whom the workspace established (a team role).
  let opened: AppGateway | null = null;
  void ready.then(
    (g) => {
      opened = g;
      g.onBusy(listener);
    },
    () => undefined,
  );
  const when = async () => ready;
  return {
    get reviewer() {
      return opened?.reviewer ?? reviewer;
    },
    onBusy(l) {
      listener = l;
      void ready.then(
        (g) => g.onBusy(l),
        () => undefined,
      );
    },
    loadQueue: async (...a) => (await when()).loadQueue(...a),
    decide: async (...a) => (await when()).decide(...a),
    activity: async (...a) => (await when()).activity(...a),
    bulk: async (...a) => (await when()).bulk(...a),
    undo: async (...a) => (await when()).undo(...a),
    faceImage: async (...a) => (await when()).faceImage(...a),
    referenceImage: async (...a) => (await when()).referenceImage(...a),
    overview: async () => (await when()).overview(),
    shoot: async (...a) => (await when()).shoot(...a),
    approve: async (...a) => (await when()).approve(...a),
    enrol: async (...a) => (await when()).enrol(...a),
    scan: async (...a) => (await when()).scan(...a),
    queueStatus: async (...a) => {
      const g = await when();
      return g.queueStatus ? g.queueStatus(...a) : null;
    },
    push: async (...a) => {
      const g = await when();
      if (!g.push) throw new Error('push is not available in this build');
      return g.push(...a);
    },
    async close() {
      try {
        await (await ready).close();
      } catch {
        // never opened: nothing to close
      }
    },
  };
}
