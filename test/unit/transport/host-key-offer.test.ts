// ssh2 shares one key-exchange offer among the connections that ask for its defaults; any list of
// ours, even an equal one, gets an offer of its own for the connection's life. So a host whose known
// key is ed25519 (or none known) offers ssh2's defaults, and others offer the known types first.
import {createRequire} from 'node:module';
import {describe, expect, it} from 'vitest';
import {hostKeyAlgorithms, hostKeyOffer} from '../../../src/transport/host-key-algorithms.js';

describe('the host-key algorithms ssh2 is given', () => {
	it('none for an ed25519 key or none known: ssh2 then offers its own defaults', () => {
		expect(hostKeyOffer(hostKeyAlgorithms(['ssh-ed25519']))).toEqual({});
		expect(hostKeyOffer(hostKeyAlgorithms([]))).toEqual({});
	});

	it('the known types first for any other key', () => {
		const offer = hostKeyOffer(hostKeyAlgorithms(['ecdsa-sha2-nistp256']));
		expect(offer.algorithms?.serverHostKey?.slice(0, 2)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
		const rsa = hostKeyOffer(hostKeyAlgorithms(['ssh-rsa', 'ssh-ed25519']));
		expect(rsa.algorithms?.serverHostKey?.slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
	});

	it('what is taken for ssh2\'s default order is the order ssh2 itself offers', () => {
		const constants = createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as {DEFAULT_SERVER_HOST_KEY: string[]};
		expect(hostKeyAlgorithms(['ssh-ed25519'])).toEqual(constants.DEFAULT_SERVER_HOST_KEY);
	});
});
