// Test helpers for import: run the import on configs (as `lvsdeck import --conf` does) and render
// the profile it wrote back for each director (as `lvsdeck render` does).
import path from 'node:path';
import {compareKeepalivedConf, formatDifference, parseKeepalivedConf, type ConfigFileReader} from '../../../src/keepalived-conf/index.js';
import {buildProfile, localFiles, readDirectorConfigs, type DirectorSource, type ImportResult} from '../../../src/actions/import/import.js';
import {parseProfile} from '../../../src/profile/load.js';
import type {Profile} from '../../../src/profile/model.js';
import {renderKeepalivedConf} from '../../../src/render/keepalived-conf.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
export const resolveOptions = {env: {HOME: '/nonexistent-home'}, sshConfigFile: '/nonexistent/ssh_config'};
export const PROFILE_FILE = '/nonexistent/imported.yaml';

export interface Director {
	readonly name: string;
	readonly file: string;
	readonly address?: string;
	readonly files?: ConfigFileReader;
}

export function importDirectors(directors: readonly Director[], names?: ReadonlyMap<string, string>): ImportResult & {warnings: string[]} {
	const sources: DirectorSource[] = directors.map((d) => ({name: d.name, configId: d.name, file: d.file, files: d.files ?? localFiles, ...(d.address ? {address: d.address} : {})}));
	const read = readDirectorConfigs(sources);
	const result = buildProfile(read.dirs, {profileName: 'imported', profileFile: PROFILE_FILE, header: ['test'], resolve: resolveOptions, ...(names ? {names} : {})});
	return {...result, warnings: read.warnings};
}

/** The profile text loaded as `lvsdeck render --profile` loads it. */
export function loadYaml(yaml: string): Profile {
	return parseProfile(yaml, PROFILE_FILE, resolveOptions);
}

/** What differs, in keepalived terms, between the director's config and the profile's render for it. */
export function differences(profile: Profile, d: Director): string[] {
	const files = d.files ?? localFiles;
	const original = parseKeepalivedConf(files.readFile(d.file) ?? '', {file: d.file, files, configId: d.name});
	if (!original.ok) throw new Error(original.error.message);
	const rendered = parseKeepalivedConf(renderKeepalivedConf(profile, d.name), {file: 'rendered', configId: d.name});
	if (!rendered.ok) throw new Error(rendered.error.message);
	return compareKeepalivedConf(original.config, rendered.config).map((x) => formatDifference(x, {a: 'director', b: 'rendered'}));
}

/** A reader that shows `overlay` files in place of (or beside) the real ones. */
export function overlayFiles(overlay: Readonly<Record<string, string>>): ConfigFileReader {
	return {
		readFile: (p) => overlay[p] ?? localFiles.readFile(p),
		listDirectory: (p) => {
			const names = localFiles.listDirectory(p);
			const extra = Object.keys(overlay).filter((o) => path.dirname(o) === p).map((o) => path.basename(o));
			return names || extra.length > 0 ? [...new Set([...(names ?? []), ...extra])] : undefined;
		},
	};
}
