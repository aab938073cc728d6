// `lvsdeck sudoers --monitor|--operate [--profile FILE] [--user NAME]`: the sudoers drop-in for a login
// that is not root (profile `sudo: true`). Without a profile, the generic rules shipped in
// contrib/sudoers/ (Debian and RHEL paths, `*` where a cluster decides); with one, every rule exact
// for that cluster's paths, interfaces, services and real servers.
import {CliError} from '../cli-error.js';
import {loadProfile} from '../profile/load.js';
import {GENERIC_INPUT, rightsInputOf, type RightsLevel} from '../actions/sudoers/rules.js';
import {renderSudoers, validUser} from '../actions/sudoers/render.js';
import {writeOut} from '../text/sink.js';

export interface SudoersOptions {
	readonly monitor?: boolean;
	readonly operate?: boolean;
	readonly profile?: string;
	readonly user?: string;
}

export function sudoersCommand(o: SudoersOptions): number {
	if (Boolean(o.monitor) === Boolean(o.operate)) throw new CliError('sudoers: give exactly one of --monitor and --operate', 2);
	const level: RightsLevel = o.monitor ? 'monitor' : 'operate';
	const profile = o.profile === undefined ? undefined : loadProfile(o.profile);
	const sudoUsers = [...new Set(profile?.hosts.filter((h) => h.ssh.sudo).map((h) => h.ssh.user) ?? [])];
	const who = o.user ?? (sudoUsers.length === 1 ? sudoUsers[0]! : '%lvsdeck');
	if (!validUser(who)) throw new CliError(`sudoers: --user ${who} is not a user name or %group`, 2);
	const input = profile ? rightsInputOf(profile) : GENERIC_INPUT;
	writeOut(renderSudoers(input, level, {who, source: profile ? `profile ${profile.name}` : 'the generic defaults (Debian and RHEL paths)'}));
	return 0;
}
