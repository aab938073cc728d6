// The zod pieces of keepalived.conf text inside a profile, apart from conf-extras.ts (which reads that
// text against the whole profile document) so the profile schema can use them without an import cycle.
import {z} from 'zod';

/** keepalived.conf syntax; checked when the profile loads (see checkConfExtras). */
export const confTextSchema = z.string().max(4_000_000);

/** Typed fields of a block left out of keepalived.conf (keepalived then uses its default). */
export function omitSchema<const K extends string>(fields: readonly [K, ...K[]]) {
	return z.array(z.enum(fields)).optional();
}

export {ADDRESS_UNKNOWN} from './address-unknown.js';

/** Per director: router_id (absent: the host name; false: no router_id line) and its own lines. */
export const directorConfSchema = z
	.object({
		router_id: z.union([z.string().regex(/^[^\s"#!{}]+$/, 'must be one word'), z.literal(false)]).optional(),
		/** This director's keepalived version when it differs from keepalived.version (render and checks follow it). */
		version: z.string().regex(/^\d{1,2}\.\d{1,2}(\.\d{1,3})?$/, 'must be a keepalived version like 2.2.7').optional(),
		global_defs: confTextSchema.optional(),
		extra: confTextSchema.optional(),
	})
	.strict();
