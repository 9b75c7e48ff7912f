/**
 * "Did you mean …?" for a mistyped command, the way commander already answers a mistyped subcommand:
 * the visible command names (and aliases) closest to what was typed, by edit distance.
 */
import type { Command } from 'commander';
import { distance } from 'fastest-levenshtein';

/** The closest command names to `typed`, best first; empty when nothing is close enough. */
export function similarCommands(program: Command, typed: string): string[] {
  const names = program.commands
    .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
    .flatMap((c) => [c.name(), ...c.aliases()]);
  // Close enough by commander's own bar: at most 3 edits, and more than 40% of the typed word kept.
  const word = typed.toLowerCase();
  const scored = names
    .map((name) => ({ name, d: distance(word, name) }))
    .filter(({ d }) => d > 0 && d <= 3 && (word.length - d) / word.length > 0.4);
  const best = Math.min(...scored.map((s) => s.d));
  return scored
    .filter((s) => s.d === best)
    .map((s) => s.name)
    .sort();
}
