// The YAML profile as written by operators (snake_case keys). Every object is strict so a typo in a
// key is an error with its location, never a silently ignored setting.
import {z} from 'zod';
import {isIP} from 'node:net';
import {ADDRESS_UNKNOWN, confTextSchema, directorConfSchema, omitSchema} from './conf-schema.js';
import {sendTextProblem} from '../text/send-text.js';
import {IPVS_SCHEDULERS} from './schedulers.js';

/** Names used as host names, instance names and file names: no shell syntax can pass. */
export const nameSchema = z
	.string()
	.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be letters, digits, "_", "." or "-" (at most 63)');

/**
 * A network interface name as the kernel accepts it (dev_valid_name: 1-15 bytes, no "/", ":" or
 * whitespace, not "." or ".."), narrowed to plain characters, and never starting with "-": a name
 * reaches `ip` and keepalived as an argument, where a leading "-" would read as an option.
 */
export const interfaceSchema = z
	.string()
	.regex(/^[A-Za-z0-9_.-]{1,15}$/, 'is not a valid interface name (1-15 letters, digits, "_", "." or "-")')
	.refine((v) => v !== '.' && v !== '..', {message: 'cannot be "." or ".." (the kernel refuses them)'})
	.refine((v) => !v.startsWith('-'), {message: 'cannot start with "-" (it would read as an option)'});

export const ipv4Schema = z.string().refine((v) => isIP(v) === 4, {message: 'is not an IPv4 address'});
export const ipSchema = z.string().refine((v) => isIP(v) !== 0, {message: 'is not an IP address'});

/** An address with a prefix length, e.g. 192.168.67.100/24. Each way to get it wrong has its own reason. */
export const cidrSchema = z.string().superRefine((v, ctx) => {
	const slash = v.indexOf('/');
	if (slash === -1) {
		ctx.addIssue({code: 'custom', message: 'needs a prefix length (like 192.168.67.100/24)'});
		return;
	}
	const addr = v.slice(0, slash);
	const len = v.slice(slash + 1);
	const family = isIP(addr);
	if (family === 0) {
		ctx.addIssue({code: 'custom', message: `${addr} is not an IP address`});
		return;
	}
	const max = family === 4 ? 32 : 128;
	if (!/^\d{1,3}$/.test(len) || Number(len) > max) {
		ctx.addIssue({code: 'custom', message: `prefix length must be 0-${max}, not ${len}`});
	}
});

export const portSchema = z.number().int().min(1).max(65535);

/** A file path from the profile: printable, no NUL, no newlines, not option-like. */
export const pathSchema = z
	.string()
	.min(1)
	.regex(/^[^\0\n\r]+$/, 'is not a usable path')
	.refine((v) => !v.startsWith('-'), {message: 'cannot start with "-" (it would read as an option)'});

/** A path on a director that keepalived or our remote scripts use: only absolute paths mean one file. */
export const remotePathSchema = pathSchema.refine((v) => v.startsWith('/'), {message: 'must be an absolute path (start with "/")'});

/** keepalived's log: `journal`, or the absolute path of the file its syslog rule (or `-l`) writes. */
export const keepalivedLogSchema = z
	.string()
	.refine((v) => v === 'journal' || (v.startsWith('/') && /^[^\0\n\r]+$/.test(v)), {message: 'must be "journal" or an absolute path of a log file'});

/** A command line: split into words without a shell, so pipes, redirects and substitutions are refused. */
export const commandSchema = z
	.string()
	.min(1)
	.superRefine((v, ctx) => {
		const bad = /[^A-Za-z0-9_./=:@%+, -]/.exec(v)?.[0];
		if (bad !== undefined) {
			ctx.addIssue({code: 'custom', message: `contains ${JSON.stringify(bad)}; commands run without a shell, so only plain words are allowed`});
		} else if (v.trimStart().startsWith('-')) {
			ctx.addIssue({code: 'custom', message: 'must start with a program, not "-" (an option)'});
		}
	});

/**
 * A VRRP password. keepalived's config parser treats # and ! as comment starts, " as a quote,
 * \ as an escape, { } as block braces and $ as a parameter, so none of them can be written in
 * keepalived.conf as a password character.
 */
export const authPassSchema = z
	.string()
	.min(1)
	.max(8)
	.superRefine((v, ctx) => {
		if (!/^[!-~]+$/.test(v)) ctx.addIssue({code: 'custom', message: 'must be printable characters without spaces'});
		else if (/[#!"'\\{}$]/.test(v)) ctx.addIssue({code: 'custom', message: `may not contain any of # ! " ' \\ { } $ (keepalived.conf syntax)`});
	});

const sshSchema = z
	.object({
		user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'is not a valid user name').optional(),
		port: portSchema.optional(),
		identity_file: pathSchema.optional(),
		agent: z.boolean().optional(),
		known_hosts: pathSchema.optional(),
		host_key_fingerprints: z.array(z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must look like SHA256:<43 base64 characters>')).optional(),
		jump: nameSchema.optional(),
		sudo: z.boolean().optional(),
		config_alias: nameSchema.optional(),
		connect_timeout_ms: z.number().int().min(100).max(120_000).optional(),
		command_timeout_ms: z.number().int().min(100).max(600_000).optional(),
		keepalive_interval_ms: z.number().int().min(0).max(600_000).optional(),
		max_channels: z.number().int().min(1).max(10).optional(),
	})
	.strict();

const serviceCommandsSchema = z
	.object({
		start: commandSchema,
		stop: commandSchema,
		reload: commandSchema.optional(),
		restart: commandSchema.optional(),
		status: commandSchema,
	})
	.strict();

/** A service with its name and commands: what a real server runs (the rs-health drill stops and starts it). */
const namedServiceSchema = serviceCommandsSchema.extend({name: nameSchema}).strict();

const hostSchema = z
	.object({
		// `unknown` (an import without the address): commands that connect to the host refuse.
		address: z.string().refine((v) => isIP(v) !== 0 || v === ADDRESS_UNKNOWN, {message: 'is not an IP address'}),
		role: z.enum(['director', 'realserver', 'client', 'bastion']),
		ssh: sshSchema.optional(),
		/** The service a real server offers (its start/stop/status commands). */
		service: namedServiceSchema.optional(),
		keepalived: directorConfSchema.optional(),
		/** Real servers of DR services: the device holding the VIPs (default lo), e.g. a dummy interface. */
		vip_device: interfaceSchema.optional(),
		/** Further interfaces and their addresses (a NAT director's internal side): name -> address/prefix. */
		interfaces: z.record(interfaceSchema, cidrSchema).optional(),
	})
	.strict();

const vipSchema = z
	.object({
		address: cidrSchema,
		dev: interfaceSchema.optional(),
		label: z.string().regex(/^[A-Za-z0-9_.-]{1,15}:[A-Za-z0-9_]{1,15}$/, 'must look like eth0:1').optional(),
	})
	.strict();

const preemptSchema = z.union(
	[z.literal('preempt'), z.literal('nopreempt'), z.object({preempt_delay: z.number().int().min(1).max(1000)}).strict()],
	{error: 'must be preempt, nopreempt or {preempt_delay: <seconds>}'},
);

const vrrpInstanceSchema = z
	.object({
		name: nameSchema,
		vrid: z.number().int().min(1).max(255),
		interface: interfaceSchema,
		/** Range and resolution depend on the VRRP version: checked in cross-check.ts. */
		advert_int: z.number().positive().max(255).default(1),
		version: z.union([z.literal(2), z.literal(3)]).optional(),
		authentication: z
			.object({
				type: z.enum(['PASS', 'AH']),
				pass: authPassSchema,
			})
			.strict()
			.optional(),
		unicast: z.boolean().default(true),
		multicast_group: ipv4Schema.optional(),
		preempt: preemptSchema.default('preempt'),
		directors: z.record(
			nameSchema,
			z
				.object({
					state: z.enum(['MASTER', 'BACKUP']),
					priority: z.number().int().min(1).max(254, 'must be at most 254 (255 is reserved for the address owner)'),
					extra: confTextSchema.optional(),
					omit: omitSchema(['state', 'priority']),
				})
				.strict(),
		),
		vips: z.array(vipSchema).min(1),
		track_scripts: z.array(nameSchema).optional(),
		extra: confTextSchema.optional(),
		omit: omitSchema(['advert_int']),
	})
	.strict();

/** Bytes written as hex digits, as keepalived's UDP_CHECK reads payload and require_reply. */
const hexSchema = z.string().regex(/^(?:[0-9A-Fa-f]{2}){1,1024}$/, 'must be bytes in hex (an even number of 0-9, a-f, at most 2048 digits)');
/** keepalived's vrrp_sync_group: its instances change state together (a NAT director's VIP and internal gateway). */
const syncGroupSchema = z
	.object({
		name: nameSchema,
		instances: z.array(nameSchema).min(2, 'a sync group needs at least two instances'),
	})
	.strict();

const checkSchema = z.discriminatedUnion('type', [
	z
		.object({
			type: z.literal('HTTP_GET'),
			path: z.string().regex(/^\/[A-Za-z0-9_./?=&%-]*$/, 'must be an absolute URL path'),
			status: z.number().int().min(100).max(599).default(200),
			connect_timeout: z.number().positive().max(600).default(3),
			retry: z.number().int().min(0).max(100).default(1),
			delay_before_retry: z.number().positive().max(600).default(1),
			extra: confTextSchema.optional(),
			omit: omitSchema(['status', 'connect_timeout', 'retry', 'delay_before_retry']),
		})
		.strict(),
	z
		.object({
			type: z.literal('TCP_CHECK'),
			connect_port: portSchema.optional(),
			connect_timeout: z.number().positive().max(600).default(3),
			retry: z.number().int().min(0).max(100).default(1),
			delay_before_retry: z.number().positive().max(600).default(1),
			extra: confTextSchema.optional(),
			omit: omitSchema(['connect_timeout', 'retry', 'delay_before_retry']),
		})
		.strict(),
	z
		.object({
			type: z.literal('UDP_CHECK'),
			connect_port: portSchema.optional(),
			connect_timeout: z.number().positive().max(600).default(3),
			retry: z.number().int().min(0).max(100).default(1),
			delay_before_retry: z.number().positive().max(600).default(1),
			/** The datagram keepalived sends, in hex (default: keepalived's own). */
			payload: hexSchema.optional(),
			/** Healthy only when the real server answers (true), or answers with these bytes (hex). */
			require_reply: z.union([z.boolean(), hexSchema]).optional(),
			extra: confTextSchema.optional(),
			omit: omitSchema(['connect_timeout', 'retry', 'delay_before_retry']),
		})
		.strict(),
	z.object({type: z.literal('none')}).strict(),
]);

/** Text for a socket: printable ASCII with a few escapes (text/send-text.ts). */
const socketTextSchema = z.string().superRefine((v, ctx) => {
	const problem = sendTextProblem(v);
	if (problem !== undefined) ctx.addIssue({code: 'custom', message: problem});
});

/**
 * How the station probes each real server's port of a service, beyond a TCP connect or a bare UDP
 * datagram: what to send, and text the answer must contain (keepalived's TCP_CHECK has no such pair;
 * a database, a mail or a cache server answering garbage is down for the station).
 */
const probeSchema = z
	.object({
		send: socketTextSchema.optional(),
		expect: socketTextSchema.pipe(z.string().min(1, 'must not be empty')).optional(),
	})
	.strict()
	.refine((p) => p.send !== undefined || p.expect !== undefined, {message: 'needs send, expect or both'});

const realServerSchema = z
	.object({
		host: nameSchema,
		port: portSchema,
		// What ipvsadm and keepalived 2.2.7 both accept for a real server.
		weight: z.number().int().min(0).max(65535).default(1),
		check: checkSchema.default({type: 'none'}),
		/** The unit that serves this virtual service on this real server (over the virtual server's rs_service and the host's service). */
		service: namedServiceSchema.optional(),
		extra: confTextSchema.optional(),
		omit: omitSchema(['weight']),
	})
	.strict();

const virtualServerSchema = z
	.object({
		vip: ipSchema,
		port: portSchema,
		protocol: z.enum(['TCP', 'UDP']).default('TCP'),
		scheduler: z.enum(IPVS_SCHEDULERS),
		forwarding: z.enum(['DR', 'NAT', 'TUN']),
		persistence_timeout: z.number().int().min(1).max(2_678_400).optional(),
		delay_loop: z.number().int().min(1).max(3600).default(6),
		real_servers: z.array(realServerSchema).min(1),
		/** The unit that serves this virtual service on its real servers (over the hosts' service). */
		rs_service: namedServiceSchema.optional(),
		/** The station's probe of each real server's port: a send/expect pair (default: connect, or a bare datagram). */
		probe: probeSchema.optional(),
		extra: confTextSchema.optional(),
		omit: omitSchema(['delay_loop', 'protocol']),
	})
	.strict();

const trackScriptSchema = z
	.object({
		name: nameSchema,
		script: commandSchema,
		interval: z.number().int().min(1).max(3600).default(2),
		// keepalived refuses a vrrp_script weight outside -253..253 (vrrp_parser.c).
		weight: z.number().int().min(-253).max(253).default(0),
		fall: z.number().int().min(1).max(100).optional(),
		rise: z.number().int().min(1).max(100).optional(),
		extra: confTextSchema.optional(),
		omit: omitSchema(['interval']),
	})
	.strict();

export const profileSchema = z
	.object({
		name: nameSchema,
		description: z.string().max(500).optional(),
		/** Where the operator's station runs its commands; a network namespace for the lab. */
		station: z.object({netns: nameSchema.optional()}).strict().optional(),
		ssh: sshSchema.optional(),
		hosts: z.record(nameSchema, hostSchema),
		keepalived: z
			.object({
				config_path: remotePathSchema.default('/etc/keepalived/keepalived.conf'),
				backup_dir: remotePathSchema.default('/etc/keepalived/backup'),
				start: commandSchema.default('systemctl start keepalived'),
				stop: commandSchema.default('systemctl stop keepalived'),
				reload: commandSchema.default('systemctl reload keepalived'),
				status: commandSchema.default('systemctl is-active keepalived'),
				/**
				 * The keepalived version the directors run (like 2.2.7): keepalived.conf is rendered with the
				 * keywords it knows. Without it, deploy asks each director (`keepalived --version`).
				 */
				version: z.string().regex(/^\d{1,2}\.\d{1,2}(\.\d{1,3})?$/, 'must be a keepalived version like 2.2.7').optional(),
				/** keepalived's parent pid file (signals for state dumps go there); default: where the detected version keeps it. */
				pid_file: remotePathSchema.optional(),
				/** The VRRP child's pid file (the hard-failure drill freezes that process). */
				vrrp_pid_file: remotePathSchema.default('/run/vrrp.pid'),
				/** Where keepalived writes its dumps (KA_TMP_DIR, or $TMPDIR from 2.2.5). */
				dump_dir: remotePathSchema.default('/tmp'),
				/** keepalived.conf lines inside global_defs for every director, and top-level blocks. */
				global_defs: confTextSchema.optional(),
				extra: confTextSchema.optional(),
				/** false: do not add enable_script_security and script_user root for vrrp_scripts. */
				auto_script_security: z.boolean().optional(),
				/** Where keepalived logs: `journal` (journalctl -u keepalived) or the absolute path of a log file. */
				log: keepalivedLogSchema.default('journal'),
				/** A vrrp_notify_fifo that lvsdeck alone reads (another reader would steal its lines). */
				notify_fifo: remotePathSchema.optional(),
			})
			.strict()
			.default({
				config_path: '/etc/keepalived/keepalived.conf',
				backup_dir: '/etc/keepalived/backup',
				start: 'systemctl start keepalived',
				stop: 'systemctl stop keepalived',
				reload: 'systemctl reload keepalived',
				status: 'systemctl is-active keepalived',
				vrrp_pid_file: '/run/vrrp.pid',
				dump_dir: '/tmp',
				log: 'journal',
			}),
		track_scripts: z.array(trackScriptSchema).optional(),
		// May be empty: a cluster can run keepalived for LVS only (its text then lives in keepalived.extra).
		vrrp_instances: z.array(vrrpInstanceSchema),
		vrrp_sync_groups: z.array(syncGroupSchema).optional(),
		virtual_servers: z.array(virtualServerSchema).default([]),
		/** Only for `lvsdeck lab`: how the practice cluster is wired to the operator's station. */
		lab: z
			.object({
				operator_address: cidrSchema,
				tap: interfaceSchema.default('lab0'),
				memory_mb: z.number().int().min(128).max(4096).default(512),
			})
			.strict()
			.optional(),
	})
	.strict();

export type ProfileInput = z.input<typeof profileSchema>;
export type ProfileDoc = z.output<typeof profileSchema>;

/** What a profile can describe, read from the schema itself (`lvsdeck --version` lists it). */
export const profileFeatures = {
	forwarding: [...virtualServerSchema.shape.forwarding.options],
	protocols: [...virtualServerSchema.shape.protocol.unwrap().options],
	schedulers: [...virtualServerSchema.shape.scheduler.options],
	healthChecks: checkSchema.options.map((o) => o.shape.type.value),
} as const;
