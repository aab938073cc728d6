// The exporter's HTTP side: GET /metrics (the format the scraper's Accept header asks for) and
// GET /healthz; anything else is 404, any other method 405. The metrics are rendered per request by
// the given function; this file only speaks HTTP.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import {CONTENT_TYPES, negotiateFormat, type ExpositionFormat} from '../text/exposition.js';
import {httpBody} from '../text/sink.js';
import type {ListenAddress} from './listen-address.js';

export type RenderMetrics = (format: ExpositionFormat) => string;

/** `body` must be safe already: the exposition formatter masks and escapes its label values itself. */
function reply(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
	const bytes = Buffer.from(body, 'utf8');
	res.writeHead(status, {'Content-Type': contentType, 'Content-Length': bytes.length, 'Cache-Control': 'no-store'});
	res.end(head ? undefined : bytes);
}

function handle(render: RenderMetrics, req: IncomingMessage, res: ServerResponse): void {
	const url = new URL(req.url ?? '/', 'http://exporter');
	const head = req.method === 'HEAD';
	if (req.method !== 'GET' && !head) {
		res.setHeader('Allow', 'GET, HEAD');
		reply(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
	} else if (url.pathname === '/metrics') {
		const format = negotiateFormat(req.headers.accept);
		try {
			reply(res, 200, CONTENT_TYPES[format], render(format), head);
		} catch (error) {
			reply(res, 500, 'text/plain; charset=utf-8', httpBody(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`), head);
		}
	} else if (url.pathname === '/healthz') {
		reply(res, 200, 'text/plain; charset=utf-8', 'ok\n', head);
	} else if (url.pathname === '/') {
		reply(res, 200, 'text/html; charset=utf-8', '<html><head><title>lvsdeck exporter</title></head><body><a href="/metrics">/metrics</a></body></html>\n', head);
	} else {
		reply(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
	}
}

/** Listens on exactly `at`; resolves with the server and the port it got (for port 0). */
export function startMetricsServer(at: ListenAddress, render: RenderMetrics): Promise<{server: Server; port: number}> {
	const server = createServer((req, res) => handle(render, req, res));
	// A scraper that keeps its connection open must not hold up a shutdown for long.
	server.keepAliveTimeout = 5_000;
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen({host: at.host, port: at.port, exclusive: true}, () => {
			server.off('error', reject);
			const address = server.address();
			resolve({server, port: typeof address === 'object' && address ? address.port : at.port});
		});
	});
}

/** Stop accepting, drop idle keep-alive connections, and wait for requests in flight. */
export function stopMetricsServer(server: Server): Promise<void> {
	return new Promise((resolve) => {
		server.close(() => resolve());
		server.closeIdleConnections();
	});
}
