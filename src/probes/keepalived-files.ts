// Reads a director's keepalived.conf and every file it includes, for import: the same constant,
// read-only script the drift check uses (CONFIG_READ_SCRIPT, round by round as includes are found),
// so one reader serves both and one sudoers rule covers it.
import {filesFromMap, type ConfigFileReader} from '../keepalived-conf/index.js';
import type {Transport} from '../transport/types.js';
import {readInstalledConfig, sudoConfigFolder} from './installed-config.js';

export interface RemoteConfig {
	/** Every file read, by path (the main one included). */
	readonly files: Readonly<Record<string, string>>;
	readonly reader: ConfigFileReader;
	/** keepalived's default config id on the host: its host name up to the first dot. */
	readonly configId: string;
}

export class RemoteReadError extends Error {}

export interface RemoteReadOptions {
	/** The login goes through sudo: reads are confined to the config's folder (what sudoers allows). */
	readonly sudo?: boolean;
}

export async function readRemoteKeepalivedConfig(transport: Transport, host: string, mainPath: string, options: RemoteReadOptions = {}): Promise<RemoteConfig> {
	const read = await readInstalledConfig((argv) => transport.exec(host, argv), mainPath, {
		fallbackConfigId: host,
		...(options.sudo ? {confineTo: sudoConfigFolder(mainPath)} : {}),
	});
	switch (read.kind) {
		case 'parsed':
			return {files: read.texts, reader: filesFromMap(read.texts), configId: read.configId};
		case 'missing':
			throw new RemoteReadError(`${host}: cannot read ${mainPath}: no such readable file`);
		case 'invalid':
			throw new RemoteReadError(`${host}: ${read.error}`);
		case 'unread':
			throw new RemoteReadError(`${host}: cannot read ${mainPath}: ${read.error}`);
	}
}
