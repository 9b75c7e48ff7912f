import { Box, Text } from 'ink';

/** A key (as written on screen) and what it does. */
export type KeyRow = [string, string];

/** The `?` help of a screen: every key it takes, one per line, each line cut to the width. */
export function KeyHelp({ keys, width, title = 'Keys' }: { keys: readonly KeyRow[]; width: number; title?: string }) {
  const keyWidth = Math.min(16, Math.max(...keys.map(([k]) => k.length)) + 2);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate-end">
        {title}
      </Text>
      {keys.map(([k, what]) => (
        <Box key={k} width={width}>
          <Box width={keyWidth} flexShrink={0}>
            <Text color="cyan">{k}</Text>
          </Box>
          <Text wrap="truncate-end">{what}</Text>
        </Box>
      ))}
    </Box>
  );
}
