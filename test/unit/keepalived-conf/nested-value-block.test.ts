// A value block (track_script, virtual_ipaddress, ...) holding an entry with a block of its own: found
// by the round-trip property (the entry was hoisted out of its block when written back).
import {describe, expect, it} from 'vitest';
import {parseKeepalivedConf, serializeKeepalivedConf, type ParseResult} from '../../../src/keepalived-conf/index.js';

function model(r: ParseResult) {
	if (!r.ok) throw new Error(r.error.message);
	return JSON.parse(JSON.stringify(r.config, (k, v: unknown) => (k === 'loc' ? undefined : v))) as unknown;
}

describe('a value block with a nested block', () => {
	it('is written back where it stood, and reads back the same', () => {
		const text = 'vrrp_sync_group G {\n  track_script {\n    global_defs {\n    }\n  }\n}\n';
		const first = parseKeepalivedConf(text);
		const again = parseKeepalivedConf(serializeKeepalivedConf(first.ok ? first.config : (undefined as never)));
		expect(model(again)).toEqual(model(first));
		expect(first.diagnostics.some((d) => d.code === 'unexpected-block')).toBe(true);
	});
});
