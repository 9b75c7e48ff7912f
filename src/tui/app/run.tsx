import { render } from 'ink';
import type { QueueFilter } from '../../core/services/matches-service.js';
import { App } from './app.js';
import type { Screen } from './app-state.js';
import { deferredGateway } from './deferred-gateway.js';
import type { AppGateway } from './gateway.js';
import { ImageOverlay, OverlayContext } from './images/overlay.js';
import { cellPixels, detectCaps } from './terminal/capabilities.js';

export interface RunAppOptions {
  workspace: string;
  /** the reviewer named on the command line; absent: whom the workspace session acts as */
  reviewer?: string;
  actor: string;
  start: Screen;
  filter?: QueueFilter;
}

const ALT_SCREEN_ON = '\u001b[?1049h\u001b[H\u001b[2J';
const ALT_SCREEN_OFF = '\u001b[?1049l';

/**
 * Runs the interactive app until the user quits; resolves with the exit code. Commands call this and
 * never import React (the Shopify cli-kit pattern). The first frame is drawn before the workspace
 * opens; should it fail to open (not a workspace, locked key), the app closes and the error is
 * reported like any other command's.
 */
export async function runApp(opts: RunAppOptions): Promise<number> {
  const caps = { ...detectCaps(process.env), cell: cellPixels(process.env) };
  const stdout = process.stdout;
  const overlay = caps.protocol !== 'none' ? new ImageOverlay(caps.protocol, (s) => stdout.write(s)) : null;
  let failure: unknown = null;
  let opened: AppGateway | null = null;
  let ready!: (g: AppGateway) => void;
  let fail!: (e: unknown) => void;
  const gatewayReady = new Promise<AppGateway>((res, rej) => {
    ready = res;
    fail = rej;
  });
  gatewayReady.catch(() => undefined);
  const gateway = deferredGateway(opts.reviewer ?? opts.actor, gatewayReady);

  // The alternate screen: the app owns the whole terminal and the shell's scrollback is left as it was.
  stdout.write(ALT_SCREEN_ON);
  const restore = () => stdout.write(ALT_SCREEN_OFF);
  process.once('exit', restore);
  try {
    const app = render(
      <OverlayContext.Provider value={overlay}>
        <App
          gateway={gateway}
          caps={caps}
          start={opts.start}
          actor={opts.actor}
          {...(opts.filter ? { filter: opts.filter } : {})}
        />
      </OverlayContext.Provider>,
      {
        exitOnCtrlC: false,
        maxFps: 60,
        patchConsole: true,
        ...(overlay ? { onRender: () => overlay.schedule() } : {}),
      },
    );
    // Open the workspace once the first frame is out (the store's modules take a while to load).
    setImmediate(() => {
      void import('./workspace-gateway.js')
        .then(({ openAppGateway }) =>
          openAppGateway({
            workspace: opts.workspace,
            ...(opts.reviewer ? { reviewer: opts.reviewer } : {}),
            png: caps.protocol === 'kitty' || caps.protocol === 'iterm2',
          }),
        )
        .then(
          (g) => {
            opened = g;
            ready(g);
          },
          (error: unknown) => {
            failure = error;
            fail(error);
            app.unmount();
          },
        );
    });
    await app.waitUntilExit();
  } finally {
    process.off('exit', restore);
    restore();
    await (opened as AppGateway | null)?.close();
  }
  if (failure) throw failure;
  return 0;
}
