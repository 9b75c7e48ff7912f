/** Navigation between screens as a pure reducer: a stack, the top one is shown. */
export type Screen = { kind: 'home' } | { kind: 'shoot'; shootId: string } | { kind: 'review'; shootId: string };

export type NavEvent = { type: 'push'; screen: Screen } | { type: 'pop' };

export function navReducer(stack: Screen[], e: NavEvent): Screen[] {
  if (e.type === 'push') return [...stack, e.screen];
  return stack.length > 1 ? stack.slice(0, -1) : stack;
}
