// The one interface every layer above uses to run a command on a host.

export interface ExecOptions {
	/** Kill the command (remote side too) after this long; the result then has timedOut. */
	readonly timeoutMs?: number;
	readonly signal?: AbortSignal;
	/** Bytes to write to the command's stdin (then closed). */
	readonly stdin?: string | Buffer;
	/**
	 * Called with each complete stdout line as it arrives (for long-lived monitors). stdout is then not
	 * kept: the result's stdout is ''.
	 */
	readonly onStdoutLine?: (line: string) => void;
	/**
	 * Safe to send again when the connection drops before the command's channel opened (a read, or a
	 * write that converges). Reads on the read-only allow-list are resent without asking.
	 */
	readonly resendIfDropped?: boolean;
}

/** A finished command. A non-zero exit is a value, not an exception. */
export interface ExecResult {
	/** Exit code; null when killed by a signal, timed out or aborted. */
	readonly code: number | null;
	readonly stdout: string;
	readonly stderr: string;
	readonly timedOut: boolean;
	readonly aborted?: boolean;
	readonly durationMs: number;
}

/** Connection states a view can show per host. */
export type ConnState = 'idle' | 'connecting' | 'ready' | 'retrying' | 'auth-failed' | 'hostkey-refused' | 'closed';

export interface HostStatus {
	readonly host: string;
	readonly state: ConnState;
	/** Why the last attempt failed (one line, safe to show). */
	readonly lastError?: string;
	/** When the next reconnect attempt may happen (epoch ms), while retrying. */
	readonly nextAttemptAt?: number;
	readonly since: number;
}

export type TransportErrorKind = 'unreachable' | 'auth' | 'hostkey' | 'read-only' | 'unknown-host' | 'closed' | 'aborted' | 'output-limit' | 'sudo';

/**
 * The command never ran: the host could not be reached, or the command was refused. Or ('output-limit')
 * it sent back more than the transport keeps, and was killed.
 */
export class TransportError extends Error {
	constructor(
		readonly kind: TransportErrorKind,
		readonly host: string,
		message: string,
	) {
		super(message);
		this.name = 'TransportError';
	}
}

export interface Transport {
	exec(host: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
	/** Current connection status of a host (local hosts are always ready). */
	status(host: string): HostStatus;
	/** Subscribe to status changes; returns the unsubscribe. */
	onStatus(listener: (status: HostStatus) => void): () => void;
	/**
	 * SHA256 fingerprint of the host key the host showed on its current connection (undefined when not
	 * connected, or for transports without host keys). What is cached about a host is keyed by it.
	 */
	hostKey?(host: string): string | undefined;
	close(): Promise<void>;
}
