import { useApp } from 'ink';
import { useMemo, useReducer } from 'react';
import type { QueueFilter } from '../../core/services/matches-service.js';
import { navReducer, type Screen } from './app-state.js';
import type { AppGateway } from './gateway.js';
import { HomeScreen } from './home/home-screen.js';
import { PictureCache } from './images/cache.js';
import { ReviewScreen } from './review/review-screen.js';
import { ShootScreen } from './shoot/shoot-screen.js';
import { KeyRouterProvider } from './widgets/key-router-provider.js';
import type { TerminalCaps } from './terminal/capabilities.js';
import type { TerminalSize } from './terminal/use-terminal-size.js';

export interface AppProps {
  gateway: AppGateway;
  caps: TerminalCaps;
  start: Screen;
  actor: string;
  filter?: QueueFilter;
  size?: TerminalSize;
  /** called instead of Ink's exit (tests) */
  onQuit?: () => void;
}

/**
 * Picks the screen on top of the navigation stack, under the one key listener that outlives every
 * screen (widgets/key-router.ts): a key typed right after a switch reaches the new screen.
 */
export function App(props: AppProps) {
  return (
    <KeyRouterProvider>
      <TopScreen {...props} />
    </KeyRouterProvider>
  );
}

function TopScreen({ gateway, caps, start, actor, filter, size, onQuit }: AppProps) {
  const { exit } = useApp();
  const [stack, nav] = useReducer(navReducer, [start]);
  const cache = useMemo(() => new PictureCache(), []);
  const quit = onQuit ?? (() => exit());
  const screen = stack[stack.length - 1]!;
  const back = stack.length > 1 ? () => nav({ type: 'pop' }) : undefined;
  const sized = size ? { size } : {};
  switch (screen.kind) {
    case 'home':
      return (
        <HomeScreen
          gateway={gateway}
          onOpen={(shootId) => nav({ type: 'push', screen: { kind: 'shoot', shootId } })}
          onReview={(shootId) => nav({ type: 'push', screen: { kind: 'review', shootId } })}
          onQuit={quit}
          {...sized}
        />
      );
    case 'shoot':
      return (
        <ShootScreen
          key={screen.shootId}
          gateway={gateway}
          shootId={screen.shootId}
          actor={actor}
          onReview={() => nav({ type: 'push', screen: { kind: 'review', shootId: screen.shootId } })}
          onBack={() => nav({ type: 'pop' })}
          onQuit={quit}
          {...sized}
        />
      );
    case 'review':
      return (
        <ReviewScreen
          key={screen.shootId}
          gateway={gateway}
          shootId={screen.shootId}
          caps={caps}
          cache={cache}
          onQuit={quit}
          {...(back ? { onBack: back } : {})}
          {...(filter ? { filter } : {})}
          {...sized}
        />
      );
  }
}
