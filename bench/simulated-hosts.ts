// Starts bench/fleet-servers.ts in a process of its own (so its CPU is not counted as lvsdeck's): one
// SSH server answering captured lab output on each given loopback address, all on one port.
import {spawn} from 'node:child_process';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {packageRoot} from '../src/lab/plan.js';

export interface SimulatedHosts {
	readonly port: number;
	/** SHA256 fingerprint of the one host key every address shows. */
	readonly fingerprint: string;
	/** That key as an OpenSSH public key line (`ssh-ed25519 AAAA...`), for a known_hosts file. */
	readonly publicKey: string;
	stop(): void;
}

export interface SimulatedHostsOptions {
	/** Ports (`tcp/80`, `udp/9053`) that answer on every address too, as a healthy real server's do. */
	readonly services?: readonly string[];
	/**
	 * A folder whose `*.yaml` profiles (written before the first connection) name the addresses: each
	 * host then answers as a healthy host of its cluster (bench/fleet-world.ts), not as the lab's dir1.
	 */
	readonly profilesDir?: string;
}

export async function startSimulatedHosts(addresses: readonly string[], {services = [], profilesDir}: SimulatedHostsOptions = {}): Promise<SimulatedHosts> {
	const servicesArg = [...(services.length > 0 ? [`--services=${services.join(',')}`] : []), ...(profilesDir ? [`--profiles=${profilesDir}`] : [])];
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(packageRoot(), 'bench', 'fleet-servers.ts'), ...servicesArg, ...addresses], {stdio: ['ignore', 'pipe', 'inherit']});
	const line = await new Promise<string>((resolve, reject) => {
		createInterface({input: child.stdout!}).once('line', resolve);
		child.once('exit', (code) => reject(new Error(`simulated hosts ended (${code})`)));
	});
	const {port, fingerprint, publicKey} = JSON.parse(line) as {port: number; fingerprint: string; publicKey: string};
	return {port, fingerprint, publicKey, stop: () => child.kill('SIGTERM')};
}
