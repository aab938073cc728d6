// What the lab needs from this machine, checked before anything is touched.
import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Programs the lab runs on the host or inside UML, with the Debian package that ships each. */
export const LAB_REQUIREMENTS: ReadonlyArray<{readonly program: string; readonly pkg: string}> = [
	{program: 'linux.uml', pkg: 'user-mode-linux'},
	{program: 'modprobe', pkg: 'kmod'},
	{program: 'keepalived', pkg: 'keepalived'},
	{program: 'ipvsadm', pkg: 'ipvsadm'},
	{program: 'sshd', pkg: 'openssh-server'},
	{program: 'ssh-keygen', pkg: 'openssh-client'},
	{program: 'busybox', pkg: 'busybox'},
	{program: 'ip', pkg: 'iproute2'},
	{program: 'unshare', pkg: 'util-linux'},
	{program: 'curl', pkg: 'curl'},
	// the real servers' TCP and UDP services that are not HTTP (name-tcp-PORT, name-udp-PORT)
	{program: 'socat', pkg: 'socat'},
	{program: 'sudo', pkg: 'sudo'},
];

/** The Debian packages in one line, for the README, setup script and error messages. */
export const LAB_PACKAGES = [...new Set(LAB_REQUIREMENTS.map((r) => r.pkg))];

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findProgram(program: string): string | undefined {
	const dirs = [...(process.env['PATH'] ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
	for (const dir of dirs) {
		const candidate = path.join(dir, program);
		if (existsSync(candidate)) return candidate;
	}
	return undefined;
}

export class LabPreflightError extends Error {}

/** Throws one line naming what is missing (and the Debian packages to install). */
export function checkLabPreflight(): void {
	if (os.platform() !== 'linux') throw new LabPreflightError(`lvsdeck lab needs Linux (this is ${os.platform()})`);
	if (process.getuid?.() !== 0) {
		throw new LabPreflightError('lvsdeck lab needs root (it creates network namespaces and a tap device); run it with sudo');
	}
	const missing = LAB_REQUIREMENTS.filter((r) => !findProgram(r.program));
	if (missing.length > 0) {
		const pkgs = [...new Set(missing.map((m) => m.pkg))];
		throw new LabPreflightError(
			`lvsdeck lab is missing ${missing.map((m) => m.program).join(', ')}: install the Debian package${pkgs.length > 1 ? 's' : ''} ${pkgs.join(' ')} (apt-get install ${pkgs.join(' ')})`,
		);
	}
	const modules = '/usr/lib/uml/modules';
	if (!existsSync(modules)) {
		throw new LabPreflightError(`lvsdeck lab is missing ${modules} (kernel modules for UML): install the Debian package user-mode-linux`);
	}
	if (!existsSync('/dev/net/tun')) throw new LabPreflightError('lvsdeck lab needs /dev/net/tun (the tun kernel module) for the lab tap');
}
