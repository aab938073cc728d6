// Lab kernel crashes that no retry can cure, told in one line instead of three boots and a panic dump.

/**
 * Debian's UML kernel (6.1; 6.12 in Debian 13 too) saves a process's FPU state with PTRACE_SETREGSET(NT_X86_XSTATE) from a
 * buffer of a fixed 2,696 bytes (AVX-512's size). A host whose XSAVE area is larger (AMX adds 8 KB of
 * tile data) refuses that with EFAULT, and the kernel panics at its first process. Forcing UML onto
 * the 512-byte FXSAVE area (a seccomp filter refusing its XSTATE probe) gets it booting, but perl and
 * python inside then fail to compile their own libraries, so that is no way out either.
 */
const XSTATE_REFUSED = 'ptrace set fp regs failed';

/** Why the lab kernel cannot run on this host, from its console text; undefined when a retry may help. */
export function hopelessBootReason(consoleText: string): string | undefined {
	if (consoleText.includes(XSTATE_REFUSED)) {
		return "the lab kernel cannot run on this host: the CPU's XSAVE area (AMX) is larger than this UML kernel saves (Debian 12's user-mode-linux 6.1 and Debian 13's 6.12 both), and the host kernel refused its FPU state (\"ptrace set fp regs failed, errno = 14\"); run `bash scripts/setup.sh` as root, which installs Debian's UML 7.2 for such hosts (scripts/uml-amx.sh), or run the lab on a machine without AMX (README, the practice lab)";
	}
	return undefined;
}
