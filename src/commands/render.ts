// `lvsdeck render --profile FILE [--host NAME] [--show-secrets]`: what deploy would install, without
// touching any host: keepalived.conf for a director, the real-server setup (DR, TUN, NAT) for a real server. With
// --host, a director's file exactly (so it can be compared or piped); without, every director and
// real server, each after a `# ---- NAME: PATH ----` line. Passwords are redacted unless --show-secrets.
import {CliError} from '../cli-error.js';
import {loadProfile} from '../profile/load.js';
import {statedKeepalivedVersion, type Host, type Profile} from '../profile/model.js';
import {renderKeepalivedConf, RenderError} from '../render/keepalived-conf.js';
import {BOOT_UNIT} from '../actions/deploy/realserver-script.js';
import {ARP_SYSCTL_FILE, describeSetup, realServerSetup, renderRealServerSysctlConf} from '../render/realserver-setup.js';
import {printErr, writeOut, writeOutWithSecrets} from '../text/sink.js';

/** Render for the keepalived version the profile states for this director (none: current keywords). */
function keepalivedVersionOf(profile: Profile, director: string): {keepalivedVersion?: string} {
	const version = statedKeepalivedVersion(profile, director);
	return version ? {keepalivedVersion: version} : {};
}

export interface RenderOptions {
	readonly profile: string;
	readonly host?: string;
	readonly showSecrets?: boolean;
}

function renderRealServer(profile: Profile, host: Host): string {
	const setup = realServerSetup(profile, host.name);
	return `# ${host.name}: deploy installs this file as ${ARP_SYSCTL_FILE}, sets up ${describeSetup(setup)}, and installs ${BOOT_UNIT} to set it up again at boot\n${renderRealServerSysctlConf(profile.name, setup)}`;
}

function renderHost(profile: Profile, host: Host, showSecrets: boolean): string {
	try {
		return host.role === 'director' ? renderKeepalivedConf(profile, host.name, {redactSecrets: !showSecrets, ...keepalivedVersionOf(profile, host.name)}) : renderRealServer(profile, host);
	} catch (error) {
		if (error instanceof RenderError) throw new CliError(`render ${host.name}: ${error.message}`, 2);
		throw error;
	}
}

export function renderCommand(options: RenderOptions): number {
	const profile = loadProfile(options.profile);
	const showSecrets = options.showSecrets === true;
	if (options.host !== undefined) {
		const host = profile.hosts.find((h) => h.name === options.host);
		if (!host) throw new CliError(`render: ${options.host} is not a host of profile ${profile.name}`, 2);
		if (host.role !== 'director' && host.role !== 'realserver') throw new CliError(`render: ${host.name} is a ${host.role}; deploy installs nothing there`, 2);
		(showSecrets ? writeOutWithSecrets : writeOut)(renderHost(profile, host, showSecrets));
		return 0;
	}
	const targets = profile.hosts.filter((h) => h.role === 'director' || h.role === 'realserver');
	const parts = targets.map((h) => `# ---- ${h.name}: ${h.role === 'director' ? profile.keepalived.configPath : ARP_SYSCTL_FILE} ----\n${renderHost(profile, h, showSecrets)}`);
	(showSecrets ? writeOutWithSecrets : writeOut)(parts.join('\n'));
	return 0;
}
