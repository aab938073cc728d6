// `--listen ADDR:PORT`: an IP literal and a port, nothing else, so the exporter binds exactly where it
// is told (a host name could resolve to an address nobody meant to expose).
import {isIP} from 'node:net';
import {CliError} from '../cli-error.js';

export interface ListenAddress {
	readonly host: string;
	/** 0: any free port (the exporter says which). */
	readonly port: number;
}

export function parseListen(value: string): ListenAddress {
	const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
	const host = m?.[1] ?? m?.[2];
	const port = Number(m?.[3]);
	const bracketsRight = m !== null && (m[1] === undefined ? isIP(host ?? '') === 4 : isIP(host ?? '') === 6);
	if (!m || host === undefined || !bracketsRight || !Number.isInteger(port) || port > 65_535) {
		throw new CliError(`--listen ${value}: expected an IP address and a port, like 127.0.0.1:9877 or [::1]:9877`, 2);
	}
	return {host, port};
}
