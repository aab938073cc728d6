// Lab kernel crashes that no retry can cure, told in one line instead of three boots and a panic dump.

/**
 * Debian's UML kernel (6.1) saves a process's FPU state with PTRACE_SETREGSET(NT_X86_XSTATE) from a
 * buffer of a fixed 2,696 bytes (AVX-512's size). A host whose XSAVE area is larger (AMX adds 8 KB of
 * tile data) refuses that with EFAULT, and the kernel panics at its first process. Forcing UML onto
 * the 512-byte FXSAVE area (a seccomp filter refusing its XSTATE probe) gets it booting, but perl and
 * python inside then fail to compile their own libraries, so that is no way out either.
 */
const XSTATE_REFUSED = 'ptrace set fp regs failed';

/** Why the lab kernel cannot run on this host, from its console text; undefined when a retry may help. */
export function hopelessBootReason(consoleText: string): string | undefined {
	if (consoleText.includes(XSTATE_REFUSED)) {
		return "the lab kernel (Debian's user-mode-linux 6.1) cannot run on this host: the CPU's XSAVE area (AMX) is larger than UML 6.1 saves, and the host kernel refused its FPU state (\"ptrace set fp regs failed, errno = 14\"); run the lab on a machine without AMX, or with a newer UML kernel";
	}
	return undefined;
}
