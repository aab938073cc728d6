// The conventions users expect: NO_COLOR/FORCE_COLOR, a --version that says what is supported, shell
// completion and a man page, all generated from the one commander program (so they match --help).
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {Command} from 'commander';
import {colorEnvFor, colourWanted} from '../../../src/text/color-env.js';
import {commandTree} from '../../../src/commands/help/command-tree.js';
import {bashCompletion, zshCompletion} from '../../../src/commands/help/completion.js';
import {manPage, roff} from '../../../src/commands/help/man.js';
import {versionText} from '../../../src/commands/help/version.js';

const root = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(root, 'src/cli.ts');
const run = (args: readonly string[], env: Record<string, string> = {}) =>
	spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {cwd: root, encoding: 'utf8', env: {...process.env, ...env}, timeout: 60_000});

describe('NO_COLOR and FORCE_COLOR', () => {
	it('plain output (deploy\'s diff) colours on a terminal unless NO_COLOR; FORCE_COLOR decides when set', () => {
		expect(colourWanted({}, true)).toBe(true);
		expect(colourWanted({}, false)).toBe(false);
		expect(colourWanted({NO_COLOR: '1'}, true)).toBe(false);
		expect(colourWanted({NO_COLOR: ''}, true)).toBe(true);
		expect(colourWanted({FORCE_COLOR: '0'}, true)).toBe(false);
		expect(colourWanted({FORCE_COLOR: 'false'}, true)).toBe(false);
		expect(colourWanted({FORCE_COLOR: '1'}, false)).toBe(true);
		expect(colourWanted({FORCE_COLOR: '', NO_COLOR: '1'}, false)).toBe(true);
	});

	it('NO_COLOR (not empty) turns colours off; FORCE_COLOR, when set, wins; an empty NO_COLOR is ignored', () => {
		expect(colorEnvFor({NO_COLOR: '1'})).toEqual({FORCE_COLOR: '0'});
		expect(colorEnvFor({NO_COLOR: ''})).toEqual({});
		expect(colorEnvFor({})).toEqual({});
		expect(colorEnvFor({NO_COLOR: '1', FORCE_COLOR: '2'})).toEqual({});
	});

	// On a terminal (a pty from util-linux `script`), where chalk would colour: the CLI's colour step
	// first, then chalk, as src/cli.ts does. TERM=xterm: chalk's level is 1 unless told otherwise.
	const chalkLevel = (env: Record<string, string>, step: boolean) => {
		const code = `${step ? "const {applyColorEnv} = await import('./src/text/color-env.ts'); applyColorEnv(); " : ''}const {default: chalk} = await import('chalk'); process.stdout.write('level=' + chalk.level);`;
		const r = spawnSync('script', ['-qec', `${process.execPath} --import tsx --input-type=module -e "${code}"`, '/dev/null'], {
			cwd: root,
			encoding: 'utf8',
			env: {...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR' && k !== 'CI')), TERM: 'xterm', ...env},
			timeout: 60_000,
		});
		return /level=(\d)/.exec(r.stdout)?.[1];
	};

	it('on a terminal, chalk (Ink\'s colours) has level 0 under NO_COLOR after the CLI\'s colour step (1 without it); FORCE_COLOR still wins', () => {
		expect(chalkLevel({}, true)).toBe('1');
		expect(chalkLevel({NO_COLOR: '1'}, false)).toBe('1');
		expect(chalkLevel({NO_COLOR: '1'}, true)).toBe('0');
		expect(chalkLevel({NO_COLOR: '1', FORCE_COLOR: '1'}, true)).toBe('1');
	});
});

describe('--version', () => {
	it('prints the version, then the keepalived range and the forwarding modes, protocols and checks the profile schema accepts', () => {
		const text = versionText('9.9.9');
		expect(text.split('\n')[0]).toBe('lvsdeck 9.9.9');
		expect(text).toMatch(/^keepalived: 1\.3\.5 to 2\.3\.\d+/m);
		expect(text).toMatch(/^forwarding: DR, NAT, TUN; protocols: TCP, UDP/m);
		expect(text).toMatch(/^health checks: HTTP_GET, TCP_CHECK, UDP_CHECK /m);
		expect(text).not.toMatch(/none/);
		const r = run(['--version']);
		expect(r.status).toBe(0);
		expect(r.stdout.split('\n')[0]).toMatch(/^lvsdeck \d+\.\d+\.\d+$/);
		expect(r.stdout).toContain('forwarding: DR, NAT, TUN');
	});
});

/** A small program with the shapes the real one has: a subcommand group, file, choice and flag options. */
function sample(): Command {
	const p = new Command('lvsdeck').option('-V, --version', 'version');
	const lab = p.command('lab').description('the lab');
	lab.command('up').option('-p, --profile <file>', 'lab profile');
	p.command('watch').description("watch 'it'").option('--mode <http|tcp|udp>', 'mode').option('--rate <n>', 'rate').option('--json <file>', 'report').option('--quiet', 'q');
	return p;
}

/** What bash completes for these words (the last is the word being completed). */
function complete(script: string, words: readonly string[]): string[] {
	const quoted = words.map((w) => `'${w}'`).join(' ');
	const r = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _lvsdeck; printf '%s\\n' "\${COMPREPLY[@]}"`], {encoding: 'utf8', cwd: root});
	expect(r.status, r.stderr).toBe(0);
	return r.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
	it('bash: commands, subcommands, options per command, the words of a choice and nothing after a free value', () => {
		const script = bashCompletion(commandTree(sample()));
		expect(spawnSync('bash', ['-n'], {input: script}).status).toBe(0);
		expect(complete(script, ['lvsdeck', ''])).toEqual(['lab', 'watch']);
		expect(complete(script, ['lvsdeck', 'lab', ''])).toEqual(['up']);
		expect(complete(script, ['lvsdeck', 'lab', 'up', '--p'])).toEqual(['--profile']);
		expect(complete(script, ['lvsdeck', 'watch', '--mode', 't'])).toEqual(['tcp']);
		expect(complete(script, ['lvsdeck', 'watch', '--rate', ''])).toEqual([]);
		expect(complete(script, ['lvsdeck', 'watch', '--mode', 'udp', '--q'])).toEqual(['--quiet']);
		expect(complete(script, ['lvsdeck', 'watch', '--json', 'package.js'])).toEqual(['package.json']);
	});

	it('the real program: doctor, history, exporter and check are offered and drill --method offers its methods', () => {
		const r = run(['completion', 'bash']);
		expect(r.status, r.stderr).toBe(0);
		const subs = complete(r.stdout, ['lvsdeck', '']);
		for (const c of ['status', 'console', 'wall', 'doctor', 'history', 'deploy', 'drill', 'watch', 'exporter', 'check', 'import', 'render', 'lab', 'completion', 'man']) expect(subs).toContain(c);
		expect(complete(r.stdout, ['lvsdeck', 'drill', '--method', ''])).toEqual(['freeze', 'cut']);
		expect(complete(r.stdout, ['lvsdeck', 'status', '--'])).toContain('--profile');
	});

	it('zsh loads the same function through bashcompinit; an unknown shell is a one-line error, exit 2', () => {
		const z = zshCompletion(commandTree(sample()));
		expect(z.split('\n')[0]).toBe('#compdef lvsdeck');
		expect(z).toContain('autoload -U +X bashcompinit && bashcompinit');
		expect(z).toContain(bashCompletion(commandTree(sample())));
		const r = run(['completion', 'fish']);
		expect(r.status).toBe(2);
		expect(r.stderr.trim().split('\n')).toEqual(['lvsdeck: completion: unknown shell "fish" (bash or zsh)']);
	});
});

describe('man page', () => {
	it('roff escapes hyphens and backslashes and neutralises a leading dot or quote', () => {
		expect(roff('a-b \\x')).toBe('a\\-b \\ex');
		expect(roff('.SH oops\n\'x')).toBe('\\&.SH oops\n\\&\'x');
	});

	it('lists every command and option of the program, and groff reads it without a warning', () => {
		const r = run(['man'], {SOURCE_DATE_EPOCH: '1700000000'});
		expect(r.status, r.stderr).toBe(0);
		expect(r.stdout.split('\n')[0]).toMatch(/^\.TH LVSDECK 1 "2023\\-11\\-14" "lvsdeck \d/);
		for (const c of ['status', 'doctor', 'history', 'drill', 'exporter', 'check', 'lab up']) expect(r.stdout).toContain(`.SS "lvsdeck ${c}"`);
		expect(r.stdout).toContain('.B \\-\\-max\\-failover\\-ms <n>');
		const groff = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], {input: r.stdout, encoding: 'utf8'});
		expect(groff.error, 'groff is installed by scripts/setup.sh (groff-base)').toBeUndefined();
		expect(groff.stderr).toBe('');
		const page = manPage({version: '1.0.0', date: '2026-01-01', tree: commandTree(sample())});
		expect(page).toContain('.SS "lvsdeck lab up"');
		expect(page).toContain('.B \\-\\-mode <http|tcp|udp>');
	});
});
