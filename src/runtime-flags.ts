// V8 settings every lvsdeck process runs with, set before anything else loads (cli.ts; the fleet bench's
// child, which stands for a fleet console, the same way).
// Allocation-site pretenuring off: V8 otherwise learns, from the thousands of sockets and states a
// fleet console opens at start and keeps, to allocate what those same code sites build later straight
// in the old generation. But most of what they build later lives a moment (a port probe's socket and
// its stream states, a poll's host state), so it died there, leaving holes V8 grows the heap around.
// Measured at 100 clusters (`npm run bench -- fleet`, alternating by hand): peak RSS 209-223 MB
// against 247-250 MB with it on, the old generation 112 MB for 93 MB alive against 134-146 MB, and
// no more CPU (README, fleet). It is not in the shebang, which must stay under the 127 bytes older
// kernels read of it; V8 reads this flag each time it would decide, so setting it here is the same.
import {setFlagsFromString} from 'node:v8';

export function applyRuntimeFlags(): void {
	setFlagsFromString('--no-allocation-site-pretenuring');
}
