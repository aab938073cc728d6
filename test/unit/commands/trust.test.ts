// --trust-host-key values become a per-host map that no host name can confuse with Object.prototype.
import {describe, expect, it} from 'vitest';
import {parseTrust} from '../../../src/commands/with-cluster.js';

describe('parseTrust', () => {
	const fp = `SHA256:${'A'.repeat(43)}`;

	it('collects fingerprints per host, for names like Object.prototype members too', () => {
		const trust = parseTrust([`lb1=${fp}`, `constructor=${fp}`, `toString=${fp}`, `lb1=${fp}=`]);
		expect(trust['lb1']).toEqual([fp, `${fp}=`]);
		expect(trust['constructor']).toEqual([fp]);
		expect(trust['toString']).toEqual([fp]);
		expect(trust['valueOf']).toBeUndefined();
	});

	it('refuses anything else in one line', () => {
		expect(() => parseTrust(['lb1=MD5:00'])).toThrow('--trust-host-key lb1=MD5:00: expected NAME=SHA256:<fingerprint>');
	});
});
