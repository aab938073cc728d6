import {describe, expect, it} from 'vitest';
import {hopelessBootReason} from '../../../src/lab/boot-failure.js';

// The end of the console of Debian's linux.uml 6.1 on a host with AMX (host kernel 6.18), as captured.
const AMX_HOST = `VFS: Mounted root (hostfs filesystem) readonly on device 0:15.
devtmpfs: mounted
This architecture does not have kernel memory protection.
Run /work/main/.lab/boot/uml-init.sh as init process
userspace - ptrace set fp regs failed, errno = 14
Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b
CPU: 0 PID: 1 Comm: uml-init.sh Not tainted 6.1.176 #1
(the lab kernel exited)`;

// A crash a retry does cure (seen on start-up while UML probes ptrace).
const TRANSIENT = `Checking that ptrace can change system call numbers...OK
Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b
(the lab kernel exited)`;

describe('hopelessBootReason', () => {
	it('names the host CPU as the reason when the host refused the kernel its FPU state', () => {
		const reason = hopelessBootReason(AMX_HOST);
		expect(reason).toMatch(/cannot run on this host/);
		expect(reason).toMatch(/AMX/);
		expect(reason).not.toContain('\n');
	});

	it('leaves other crashes to the retry', () => {
		expect(hopelessBootReason(TRANSIENT)).toBeUndefined();
	});
});
