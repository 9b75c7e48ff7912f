/**
 * Edges of connector options a reviewer found (src/connectors/{plugin-options,configure}.ts and
 * src/tui/connector-options.ts): manifests that declare an option no value can satisfy or a secret
 * with public values, `__proto__` slipping past as a key, and `shoot configure` changes that are
 * typos or contradictions.
 */
import { describe, expect, it } from 'vitest';
import { reconfigure } from '../../src/connectors/configure.js';
import { validateOptions } from '../../src/connectors/options.js';
import { PluginOptionsDecl, pluginOptionsSpec } from '../../src/connectors/plugin-options.js';
import { builtinRegistry } from '../../src/connectors/registry.js';
import { rawOptions } from '../../src/tui/connector-options.js';

const problemsOf = (decl: unknown) => {
  const parsed = PluginOptionsDecl.safeParse(decl);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
};

describe('plugin manifest options', () => {
  it('refuses minimum > maximum and an enum on a secret option', () => {
    expect(problemsOf({ pageSize: { type: 'integer', minimum: 10, maximum: 5 } })).toEqual([
      '"minimum" is greater than "maximum": no value would be accepted',
    ]);
    expect(problemsOf({ token: { type: 'string', secret: true, enum: ['a', 'b'] } })).toEqual([
      'a secret option cannot have an "enum"',
    ]);
    expect(problemsOf({ pageSize: { type: 'integer', minimum: 5, maximum: 5 } })).toEqual([]);
  });
});

describe('option keys', () => {
  const spec = pluginOptionsSpec({ region: { type: 'string' } });

  it.each(['__proto__', 'constructor'])('--option %s=... is an unknown option', (key) => {
    const raw = rawOptions({ fromFile: {}, pairs: [[key, 'x']] }, spec);
    expect(() => validateOptions('dam', spec, raw)).toThrow(
      expect.objectContaining({
        code: 'CONNECTOR_OPTIONS_INVALID',
        details: expect.objectContaining({ problems: [{ key, problem: 'unknown option' }] }),
      }),
    );
  });
});

describe('shoot configure --unset', () => {
  const registry = builtinRegistry();
  const shoot = { connector: 'local', connectorOptions: { sidecarNaming: 'replace' } };

  it('an unknown key is an error naming it, not "nothing changed"', () => {
    expect(() => reconfigure(registry, shoot, { set: {}, unset: ['sidecarNamnig'] })).toThrow(
      expect.objectContaining({
        code: 'CONNECTOR_OPTIONS_INVALID',
        details: expect.objectContaining({
          problems: [{ key: 'sidecarNamnig', problem: 'unknown option: there is nothing to unset' }],
        }),
      }),
    );
    expect(reconfigure(registry, shoot, { set: {}, unset: ['sidecarNaming'] })).toEqual({});
  });

  it('setting and unsetting the same key in one command is refused as contradictory', () => {
    expect(() => reconfigure(registry, shoot, { set: { sidecarNaming: 'append' }, unset: ['sidecarNaming'] })).toThrow(
      expect.objectContaining({ code: 'OPTIONS_CONTRADICTORY', exitCode: 2 }),
    );
  });
});
