// Golden tests for the keepalived.conf renderer: every shipped profile, every director. The golden
// files are what deploy would write; review a diff in them as you would a change to production.
// To regenerate after an intended renderer change: UPDATE_GOLDENS=1 npx vitest run --project unit test/unit/render
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../src/profile/load.js';
import {addressOn, directors, type Profile} from '../../../src/profile/model.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';

const root = path.resolve(import.meta.dirname, '../../..');
const goldenDir = path.join(root, 'test/golden');
const shipped = ['lab', 'lab-b', 'lab-sudo', 'lab-nat', 'lab-tun', 'lab-ipv6', 'seed-dr', 'dual-master'] as const;
const update = process.env['UPDATE_GOLDENS'] === '1';

// A fixed HOME and no ssh config: rendering must not depend on the machine the tests run on.
const load = (name: string): Profile => loadProfile(path.join(root, 'profiles', `${name}.yaml`), {env: {HOME: '/nonexistent-home'}});

/** Lines of `conf` with their block path, e.g. ['vrrp_instance VI_1', 'authentication']. */
function withBlocks(conf: string): Array<{line: string; blocks: string[]}> {
	const stack: string[] = [];
	const out: Array<{line: string; blocks: string[]}> = [];
	for (const raw of conf.split('\n')) {
		const line = raw.trim();
		if (line === '}') {
			stack.pop();
			continue;
		}
		out.push({line, blocks: [...stack]});
		if (line.endsWith('{')) stack.push(line.slice(0, -1).trim());
	}
	return out;
}

describe('shipped profiles list', () => {
	it('covers every profile in profiles/', () => {
		const files = readdirSync(path.join(root, 'profiles'))
			.filter((f) => f.endsWith('.yaml'))
			.map((f) => f.replace(/\.yaml$/, ''))
			.sort();
		expect(files).toEqual([...shipped].sort());
	});
});

for (const name of shipped) {
	describe(`profile ${name}`, () => {
		const profile = load(name);
		const names = directors(profile).map((d) => d.name);

		it('has directors to render for', () => {
			expect(names.length).toBeGreaterThanOrEqual(2);
		});

		for (const director of names) {
			describe(`director ${director}`, () => {
				const conf = renderKeepalivedConf(profile, director);
				const lines = conf.split('\n');

				it(`matches test/golden/${name}-${director}.conf`, () => {
					const golden = path.join(goldenDir, `${name}-${director}.conf`);
					if (update) writeFileSync(golden, conf);
					expect(existsSync(golden), `missing golden ${golden}`).toBe(true);
					expect(conf).toBe(readFileSync(golden, 'utf8'));
				});

				it('is deterministic', () => {
					expect(renderKeepalivedConf(load(name), director)).toBe(conf);
				});

				it('has at most one "{" per line and only at the end, and "}" alone on its line', () => {
					for (const line of lines) {
						if (line.trimStart().startsWith('#')) continue;
						expect((line.match(/\{/g) ?? []).length, line).toBeLessThanOrEqual(1);
						if (line.includes('{')) expect(line, line).toMatch(/^\s*\S.* \{$/);
						if (line.includes('}')) expect(line.trim(), line).toBe('}');
					}
				});

				it('has balanced braces that never go below zero', () => {
					let depth = 0;
					for (const line of lines) {
						if (line.trimStart().startsWith('#')) continue;
						depth += (line.match(/\{/g) ?? []).length;
						depth -= (line.match(/\}/g) ?? []).length;
						expect(depth, line).toBeGreaterThanOrEqual(0);
					}
					expect(depth).toBe(0);
				});

				it('holds one keyword per line: no keyword line carries a second keyword or a trailing comment', () => {
					for (const {line} of withBlocks(conf)) {
						if (line === '' || line.startsWith('#')) continue;
						expect(line, line).not.toMatch(/[#!;]/);
						expect(line, line).not.toMatch(/\s{2,}/);
					}
				});

				it('lists every real server of each virtual server it carries, with its weight', () => {
					const myVips = new Set(
						profile.instances.filter((i) => i.members.some((m) => m.director === director)).flatMap((i) => i.vips.map((v) => v.address)),
					);
					const carried = profile.virtualServers.filter((vs) => myVips.has(vs.vip));
					expect(carried.length).toBeGreaterThan(0);
					const entries = withBlocks(conf);
					for (const vs of carried) {
						const vsHeader = `virtual_server ${vs.vip} ${vs.port}`;
						expect(lines.map((l) => l.trim())).toContain(`${vsHeader} {`);
						for (const rs of vs.realServers) {
							const rsHeader = `real_server ${rs.address} ${rs.port}`;
							const inside = entries.filter((e) => e.blocks[0] === vsHeader && e.blocks[1] === rsHeader && e.blocks.length === 2);
							expect(inside.map((e) => e.line), `${vsHeader} / ${rsHeader}`).toContain(`weight ${rs.weight}`);
						}
					}
				});

				it('has auth_pass (and auth_type) only inside an authentication block', () => {
					const entries = withBlocks(conf);
					const auth = entries.filter((e) => /^auth_(pass|type)\b/.test(e.line));
					const withAuth = profile.instances.filter((i) => i.authentication && i.members.some((m) => m.director === director));
					expect(auth.filter((e) => e.line.startsWith('auth_pass'))).toHaveLength(withAuth.length);
					for (const e of auth) {
						expect(e.blocks[e.blocks.length - 1], e.line).toBe('authentication');
						expect(e.blocks[0], e.line).toMatch(/^vrrp_instance /);
					}
					expect(conf.match(/auth_pass/g) ?? []).toHaveLength(auth.filter((e) => e.line.startsWith('auth_pass')).length);
				});

				it('renders this director in every instance it belongs to, with its own state, priority and peers', () => {
					const entries = withBlocks(conf);
					const me = profile.hosts.find((h) => h.name === director)!;
					for (const inst of profile.instances) {
						const member = inst.members.find((m) => m.director === director);
						const header = `vrrp_instance ${inst.name}`;
						if (!member) {
							expect(lines).not.toContain(`${header} {`);
							continue;
						}
						const body = entries.filter((e) => e.blocks.length === 1 && e.blocks[0] === header).map((e) => e.line);
						expect(body).toContain(`state ${member.state}`);
						expect(body).toContain(`priority ${member.priority}`);
						expect(body).toContain(`virtual_router_id ${inst.vrid}`);
						if (inst.unicast) {
							// an instance on a further interface (a NAT director's eth1) speaks from that interface's address
							expect(body).toContain(`unicast_src_ip ${addressOn(me, inst.interface)}`);
							const peers = entries.filter((e) => e.blocks[0] === header && e.blocks[1] === 'unicast_peer').map((e) => e.line);
							const expected = inst.members.filter((m) => m.director !== director).map((m) => addressOn(profile.hosts.find((h) => h.name === m.director)!, inst.interface));
							expect(peers).toEqual(expected);
						}
					}
				});

				it('enables script security exactly when it runs vrrp scripts (keepalived -t exits 6 otherwise)', () => {
					const usesScripts = lines.some((l) => l.startsWith('vrrp_script '));
					expect(lines.includes('  enable_script_security')).toBe(usesScripts);
					expect(lines.includes('  script_user root')).toBe(usesScripts);
				});
			});
		}
	});
}
