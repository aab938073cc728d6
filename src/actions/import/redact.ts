// The imported profile for a terminal: VRRP passwords (typed, and auth_pass or password lines in
// keepalived text) replaced by a placeholder.
import {REDACTED, serializeNodes} from '../../keepalived-conf/index.js';
import {parseConfText} from '../../profile/conf-extras.js';
import type {Doc} from './lift.js';
import {profileYaml} from './profile-yaml.js';
import type {ImportResult} from './import.js';

const TEXT_KEYS = new Set(['extra', 'global_defs']);

function redact(value: unknown, key?: string): unknown {
	if (Array.isArray(value)) return value.map((v) => redact(v));
	if (typeof value === 'string' && key !== undefined && TEXT_KEYS.has(key)) {
		const parsed = parseConfText(value);
		return parsed.ok ? serializeNodes(parsed.tree, {redactSecrets: true}) : REDACTED;
	}
	if (value === null || typeof value !== 'object') return value;
	const out: Doc = {};
	for (const [k, v] of Object.entries(value)) out[k] = key === 'authentication' && k === 'pass' ? REDACTED : redact(v, k);
	return out;
}

export function redactedProfileYaml(result: ImportResult): string {
	return profileYaml(redact(result.doc) as Doc, result.comments);
}
