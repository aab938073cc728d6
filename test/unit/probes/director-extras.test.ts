// A streamed director's dump and hash polls: the stream's latest frame (IPVS, addresses) and the extras
// command's output (config hash, keepalived's dump) read as one snapshot, from captured lab output.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseDirectorSnapshot, withExtras} from '../../../src/probes/director-snapshot.js';

const lab = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', 'lab', name), 'utf8');
const section = (name: string, body: string) => `\n@@lvsdeck ${name}\n${body.replace(/\n+$/, '')}`;

/** A frame as DIRECTOR_STREAM_SCRIPT writes it: the snapshot with no hash and no dump, keepalived running. */
const FRAME = [
	section('ipvs-list', lab('ipvsadm-Ln-dir1.txt')),
	section('ipvs-stats', lab('ipvsadm-stats-dir1.txt')),
	section('ipvs-rate', lab('ipvsadm-rate-dir1.txt')),
	section('addr', lab('ip-j-addr-dir1.json')),
	section('config', 'skipped'),
	section('keepalived-bin', 'skipped'),
	section('vrrp', ''),
	section('vrrp-exit', '0'),
	section('end', ''),
].join('');

const SHA = 'c'.repeat(64);
const EXTRAS = [section('config', SHA), section('keepalived-bin', '/usr/sbin/keepalived 1000 1700000000 42'), section('vrrp', lab('keepalived-json-dir1.json')), section('vrrp-exit', '0'), section('end', '')].join('');

describe('withExtras', () => {
	it('reads IPVS and the addresses from the frame, the hash, the binary and the dump from the extras', () => {
		const s = withExtras(parseDirectorSnapshot(FRAME), EXTRAS, 'json');
		const frameAlone = parseDirectorSnapshot(FRAME, 'none');
		expect(s.ipvs).toEqual(frameAlone.ipvs);
		expect(s.ipvs.services.length).toBeGreaterThan(0);
		expect(s.addresses).toEqual(frameAlone.addresses);
		expect(s.configSha256).toBe(SHA);
		expect(s.keepalivedBinary).toBe('/usr/sbin/keepalived 1000 1700000000 42');
		expect(s.vrrp?.map((v) => [v.name, v.state])).toEqual([['VI_1', 'MASTER']]);
		expect(s.problems).toEqual([]);
	});

	it('is the snapshot the frame and the extras make as one text (the frame parsed once, its IPVS and addresses kept)', () => {
		const frame = parseDirectorSnapshot(FRAME);
		const joined = `${FRAME.slice(0, FRAME.indexOf('\n@@lvsdeck config'))}\n${EXTRAS}`;
		for (const kind of ['json', 'none'] as const) expect(withExtras(frame, EXTRAS, kind)).toEqual(parseDirectorSnapshot(joined, kind));
		const s = withExtras(frame, EXTRAS, 'json');
		expect([s.ipvs, s.addresses]).toEqual([frame.ipvs, frame.addresses]);
		expect(s.ipvs === frame.ipvs && s.addresses === frame.addresses).toBe(true);
	});

	it("a frame's own problems stay (an address list it could not read)", () => {
		const frame = parseDirectorSnapshot(FRAME.replace(/@@lvsdeck addr\n[^@]*/, '@@lvsdeck addr\nnot json\n'));
		expect(frame.problems.length).toBeGreaterThan(0);
		expect(withExtras(frame, EXTRAS, 'json').problems).toEqual(frame.problems);
	});

	it('keepalived stopped since the frame: the extras say so', () => {
		const stopped = [section('config', 'skipped'), section('keepalived-bin', 'skipped'), section('vrrp', ''), section('vrrp-exit', '3'), section('end', '')].join('');
		const s = withExtras(parseDirectorSnapshot(FRAME), stopped, 'json');
		expect([s.keepalivedRunning, s.vrrpError, s.vrrp]).toEqual([false, 'keepalived is not running', []]);
	});

	it("extras cut short are incomplete, whatever the frame's own end mark said", () => {
		const cut = EXTRAS.slice(0, EXTRAS.indexOf('@@lvsdeck vrrp-exit'));
		expect(withExtras(parseDirectorSnapshot(FRAME), cut, 'json').problems).toContain('snapshot output is incomplete');
		expect(parseDirectorSnapshot(`${FRAME}\n${cut}`, 'json').problems).not.toContain('snapshot output is incomplete');
	});
});
