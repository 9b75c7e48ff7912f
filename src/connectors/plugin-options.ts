/**
 * The options a plugin declares in its manifest (`sitter-plugin.json` → `options`), in plain JSON so
 * that a plugin needs no zod of its own: each key with its type, and whether it is required, has a
 * default, or is a secret. Sitter builds the zod schema from it, so plugins get the same checks,
 * hints and secret handling as the built-in connectors.
 */
import { z } from 'zod';
import type { ConnectorOptionsSpec } from './options.js';

export const PluginOptionDecl = z
  .object({
    type: z.enum(['string', 'integer', 'number', 'boolean']),
    description: z.string().optional(),
    /** for `string`: the accepted values */
    enum: z.array(z.string()).min(1).optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    required: z.boolean().optional(),
    /** given as `secret:NAME`, resolved from SITTER_SECRET_<NAME> or <workspace>/secrets/<name> */
    secret: z.boolean().optional(),
    /** decides where the plugin writes (a folder, a field, a naming): fixed while Sitter's push record names a place */
    placement: z.boolean().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
  })
  .strict()
  .refine((d) => !d.secret || d.type === 'string', { message: 'a secret option must be of type "string"' })
  .refine((d) => !d.enum || d.type === 'string', { message: '"enum" is for options of type "string"' })
  .refine((d) => !(d.secret && d.default !== undefined), { message: 'a secret option cannot have a default' })
  // A secret is a reference (secret:NAME), never one of a list of values that would then be public.
  .refine((d) => !(d.secret && d.enum), { message: 'a secret option cannot have an "enum"' })
  .refine((d) => d.minimum === undefined || d.maximum === undefined || d.minimum <= d.maximum, {
    message: '"minimum" is greater than "maximum": no value would be accepted',
  });

export const PluginOptionsDecl = z.record(
  z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, 'an option key: a letter, then letters, digits or "_"'),
  PluginOptionDecl,
);

type Decl = z.infer<typeof PluginOptionDecl>;

function fieldOf(d: Decl): z.ZodType {
  let field: z.ZodType;
  if (d.type === 'boolean') field = z.boolean();
  else if (d.type === 'string') field = d.enum ? z.enum(d.enum as [string, ...string[]]) : z.string().min(1);
  else {
    let n = d.type === 'integer' ? z.number().int() : z.number();
    if (d.minimum !== undefined) n = n.min(d.minimum);
    if (d.maximum !== undefined) n = n.max(d.maximum);
    field = n;
  }
  if (d.description) field = field.describe(d.description);
  if (d.default !== undefined) return field.default(d.default as never);
  return d.required ? field : field.optional();
}

/** The options spec of a plugin from its manifest declaration (none declared: no options accepted). */
export function pluginOptionsSpec(decl: z.infer<typeof PluginOptionsDecl> = {}): ConnectorOptionsSpec {
  const shape = Object.fromEntries(Object.entries(decl).map(([key, d]) => [key, fieldOf(d)]));
  return {
    schema: z.object(shape).strict(),
    secrets: Object.entries(decl)
      .filter(([, d]) => d.secret)
      .map(([key]) => key),
    placement: Object.entries(decl)
      .filter(([, d]) => d.placement)
      .map(([key]) => key),
  };
}
