/* global fetch, AbortController, AbortSignal */
// The ResourceSpace API client: signed GET calls to {baseUrl}/api/, a request rate kept (the host's
// shared budget when it lends one, else a local spacing), a timeout on every request, retries of 429
// (Retry-After honoured, no retry used up), 408, 5xx and dropped connections with backoff, and every
// quirk of dam-apis.md §2 turned into a typed failure: a non-JSON 401 for a bad signature, 200 with an
// empty body for an unknown function, "API not enabled." 403. Errors name the function called, never
// the signed query or the key.
import { signedQuery } from './signing.js';

const MAX_JSON_BYTES = 16 * 1024 * 1024;
const MAX_RATE_LIMIT_WAIT_MS = 120_000;

/**
 * @typedef {(kind: string, message: string, hint: string, details?: Record<string, unknown>) => Error} Fail
 * @typedef {{ run<T>(task: (signal: AbortSignal) => Promise<T>, o?: { priority?: string, signal?: AbortSignal }): Promise<T>,
 *   pauseFor(ms: number, reason: string): void }} Budget
 * @typedef {{ signal?: AbortSignal, priority?: 'interactive' | 'push' | 'bulk' }} CallOptions
 */

/** @param {string | null} value @returns {number | null} milliseconds */
function retryAfterMs(value) {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** @param {string} text at most 200 printable characters of a server's text, for a message */
const excerpt = (text) =>
  text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 200);

/** @param {number} ms @param {AbortSignal} [signal] */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

/** A local stand-in for the host's budget: requests spaced 1000/rps ms apart, pausable on a 429. */
function localBudget(/** @type {number} */ requestsPerSecond) {
  const spacing = 1000 / requestsPerSecond;
  let next = 0;
  let pausedUntil = 0;
  return /** @type {Budget} */ ({
    async run(task, o = {}) {
      for (;;) {
        const now = Date.now();
        const at = Math.max(next, pausedUntil, now);
        if (at <= now) break;
        await sleep(at - now, o.signal);
      }
      next = Date.now() + spacing;
      const controller = new AbortController();
      const forward = () => controller.abort(o.signal?.reason);
      o.signal?.addEventListener('abort', forward, { once: true });
      try {
        return await task(controller.signal);
      } finally {
        o.signal?.removeEventListener('abort', forward);
      }
    },
    pauseFor(ms) {
      pausedUntil = Math.max(pausedUntil, Date.now() + ms);
    },
  });
}

/**
 * @param {{ baseUrl: URL, user: string, privateKey: string, requestsPerSecond: number, timeoutMs: number,
 *   maxRetries: number, fail: Fail, budget?: Budget,
 *   SitterError: new (code: string, message: string, hint?: string) => Error }} o
 */
export function createApi(o) {
  const budget = o.budget ?? localBudget(o.requestsPerSecond);
  const closing = new AbortController();
  const apiUrl = new URL('api/', o.baseUrl.href.endsWith('/') ? o.baseUrl : new URL(`${o.baseUrl.href}/`));

  /**
   * One request with the policy above; `read` turns a 200 response into the result.
   * @template T
   * @param {string} what for messages: `do_search`, `download of resource 12`
   * @param {string} url
   * @param {(res: Response) => Promise<T>} read
   * @param {CallOptions} [opts]
   * @returns {Promise<T>}
   */
  async function request(what, url, read, opts = {}) {
    let retries = 0;
    let waited = 0;
    const caller = opts.signal ? AbortSignal.any([opts.signal, closing.signal]) : closing.signal;
    for (;;) {
      caller.throwIfAborted();
      /** @type {Response | null} */
      let res = null;
      /** @type {unknown} */
      let networkError = null;
      try {
        res = await budget.run(
          (signal) =>
            fetch(url, {
              signal: AbortSignal.any([signal, caller, AbortSignal.timeout(o.timeoutMs)]),
              redirect: 'manual',
            }),
          { priority: opts.priority ?? 'bulk', signal: caller },
        );
      } catch (e) {
        if (caller.aborted) throw caller.reason;
        networkError = e;
      }
      if (res && res.status === 429) {
        const wait = retryAfterMs(res.headers.get('retry-after')) ?? Math.min(1000 * 2 ** Math.min(retries, 5), 30_000);
        await res.body?.cancel();
        if (waited + wait > MAX_RATE_LIMIT_WAIT_MS)
          throw o.fail(
            'rate-limited',
            `ResourceSpace kept answering "too many requests" to ${what}.`,
            'Lower requestsPerSecond, or try again later.',
            {
              status: 429,
              retryAfterMs: wait,
            },
          );
        waited += wait;
        budget.pauseFor(wait, 'ResourceSpace answered 429');
        await sleep(wait, caller);
        continue;
      }
      const transient = networkError !== null || (res !== null && (res.status === 408 || res.status >= 500));
      if (transient) {
        await res?.body?.cancel();
        if (retries >= o.maxRetries)
          throw o.fail(
            'transient',
            `ResourceSpace did not answer ${what}: ${res ? `HTTP ${res.status}` : 'no connection or a timeout'}, after ${retries} retries.`,
            'Check that ResourceSpace is up and reachable, then run the command again.',
            res ? { status: res.status } : {},
          );
        await sleep(Math.min(250 * 2 ** retries, 8000) * (0.75 + Math.random() / 2), caller);
        retries++;
        continue;
      }
      return read(/** @type {Response} */ (res));
    }
  }

  /**
   * Calls one API function and answers its JSON value (`false`, `[]` and strings included: the caller
   * knows what they mean for its function).
   * @param {string} fn
   * @param {(string | number | boolean)[]} params
   * @param {CallOptions} [opts]
   * @returns {Promise<unknown>}
   */
  function call(fn, params, opts) {
    const url = `${apiUrl.href}?${signedQuery(o.privateKey, o.user, fn, params)}`;
    return request(
      fn,
      url,
      async (res) => {
        const text = await res.text();
        if (res.status === 401) {
          let detail = null;
          try {
            const error = JSON.parse(text)?.error;
            detail = error?.detail ?? error?.title ?? null;
          } catch {
            // "Invalid signature": text, though the content type says JSON
          }
          throw o.fail(
            'auth',
            detail
              ? `ResourceSpace refused user "${o.user}": ${excerpt(String(detail))}.`
              : `ResourceSpace refused the signature of ${fn} for user "${o.user}".`,
            detail
              ? 'Check that the user is enabled and may use the API.'
              : "Check `user` and `privateKey` (the API key on that user's admin page).",
            { status: 401 },
          );
        }
        if (res.status === 403 && /API not enabled/i.test(text))
          throw o.fail(
            'refused',
            'ResourceSpace has its API turned off.',
            'Set $enable_remote_apis = true in its config.php.',
            {
              status: 403,
            },
          );
        if (res.status >= 300)
          throw o.fail(
            res.status === 403 ? 'access-denied' : 'refused',
            `ResourceSpace refused ${fn}: HTTP ${res.status}${text ? ` "${excerpt(text)}"` : ''}.`,
            res.status === 404
              ? 'Check `baseUrl`: the API lives at {baseUrl}/api/.'
              : "Check the user's permissions in ResourceSpace.",
            { status: res.status },
          );
        if (text.length > MAX_JSON_BYTES)
          throw o.fail(
            'bad-response',
            `ResourceSpace answered ${fn} with more than ${MAX_JSON_BYTES} bytes.`,
            'Report this; it is not an answer the API documents.',
          );
        if (text.trim() === '')
          throw o.fail(
            'bad-response',
            `ResourceSpace answered ${fn} with nothing: it does not know that function.`,
            'Check the ResourceSpace version and that the plugin providing it is enabled.',
          );
        try {
          return JSON.parse(text);
        } catch {
          throw o.fail(
            'bad-response',
            `ResourceSpace answered ${fn} with ${/^\s*</.test(text) ? 'HTML' : 'text'}, not JSON.`,
            'Check `baseUrl`: it must be the ResourceSpace address, with the API enabled.',
          );
        }
      },
      opts,
    );
  }

  /**
   * Downloads a file URL get_resource_path gave: same origin as baseUrl only, no redirect, at most
   * `maxBytes` read.
   * @param {string} what @param {string} url @param {number} maxBytes @param {CallOptions} [opts]
   * @returns {Promise<Uint8Array>}
   */
  function download(what, url, maxBytes, opts) {
    let target;
    try {
      target = new URL(url);
    } catch {
      throw o.fail(
        'bad-response',
        `ResourceSpace gave no usable file address for ${what}.`,
        'Check that the file exists in ResourceSpace.',
      );
    }
    if (target.origin !== o.baseUrl.origin)
      throw o.fail(
        'bad-response',
        `ResourceSpace sent the file of ${what} to another host (${target.host}).`,
        'Sitter downloads only from the ResourceSpace host itself; check $baseurl in its config.php.',
      );
    return request(
      `the download of ${what}`,
      target.href,
      async (res) => {
        if (res.status >= 300) {
          await res.body?.cancel();
          throw o.fail(
            res.status === 404 ? 'not-found' : res.status === 403 ? 'access-denied' : 'refused',
            `ResourceSpace refused the download of ${what}: HTTP ${res.status}.`,
            'Check that the file exists and the user may download it.',
            { status: res.status },
          );
        }
        const chunks = [];
        let size = 0;
        for await (const chunk of /** @type {AsyncIterable<Uint8Array>} */ (res.body ?? [])) {
          size += chunk.byteLength;
          if (size > maxBytes) {
            await res.body?.cancel().catch(() => {});
            throw new o.SitterError(
              'ASSET_TOO_LARGE',
              `The file of ${what} is larger than ${maxBytes} bytes.`,
              'Raise the size limit, or ask for a smaller rendition.',
            );
          }
          chunks.push(chunk);
        }
        return new Uint8Array(Buffer.concat(chunks));
      },
      opts,
    );
  }

  return {
    call,
    download,
    close() {
      closing.abort(Object.assign(new Error('the connector was closed'), { name: 'AbortError' }));
    },
  };
}
