// The imported profile as YAML an operator will read and edit next: keepalived text as literal
// blocks, small mappings on one line, and comments saying where things came from and what the
// keepalived-text fields are.
import {Document, isMap, isScalar, isSeq, Scalar, type Node, type Pair, type YAMLMap} from 'yaml';
import {ADDRESS_UNKNOWN} from '../../profile/conf-extras.js';
import type {Doc} from './lift.js';

export interface YamlComments {
	/** Lines for the top of the file. */
	readonly header: readonly string[];
	/** Director name -> where its address came from (shown next to it). */
	readonly addressSource?: ReadonlyMap<string, string>;
}

/** Mappings written on one line when they hold only plain values: `{state: MASTER, priority: 100}`. */
const ONE_LINE = new Set(['ssh', 'station', 'check', 'preempt', 'authentication']);

function pairOf(map: unknown, key: string): Pair<Scalar, Node> | undefined {
	if (!isMap(map)) return undefined;
	return (map as YAMLMap<Scalar, Node>).items.find((p) => isScalar(p.key) && p.key.value === key);
}

function note(map: unknown, key: string, comment: string, where: 'before' | 'after' = 'before'): void {
	const pair = pairOf(map, key);
	if (!pair) return;
	if (where === 'before') pair.key.commentBefore = ` ${comment}`;
	else if (pair.value) (pair.value as Node & {comment?: string | null}).comment = ` ${comment}`;
}

function plain(node: unknown): boolean {
	if (isMap(node)) return node.items.every((p) => plain(p.value));
	if (isSeq(node)) return node.items.every((i) => isScalar(i));
	return isScalar(node) && !(typeof node.value === 'string' && node.value.includes('\n'));
}

/** Literal blocks for keepalived text, one-line collections where they hold only plain values. */
function style(node: unknown, key: string | undefined, parentKey: string | undefined): void {
	if (isScalar(node)) {
		if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
	} else if (isSeq(node)) {
		if (node.items.every((i) => isScalar(i))) node.flow = true;
		for (const item of node.items) {
			if (key === 'vips' && isMap(item)) item.flow = true;
			style(item, undefined, key);
		}
	} else if (isMap(node)) {
		if ((ONE_LINE.has(key ?? '') || parentKey === 'directors') && plain(node)) node.flow = true;
		for (const pair of node.items as Array<Pair<Scalar, Node>>) style(pair.value, String(pair.key.value), key);
	}
}

function commentTree(doc: Document, comments: YamlComments): void {
	const root = doc.contents;
	const hosts = pairOf(root, 'hosts')?.value;
	if (isMap(hosts)) {
		for (const pair of hosts.items as Array<Pair<Scalar, Node>>) {
			const name = String(pair.key.value);
			const host = pair.value;
			const address = pairOf(host, 'address')?.value;
			if (isScalar(address) && address.value === ADDRESS_UNKNOWN) address.comment = ' PLACEHOLDER: set the address; commands that connect to this host refuse until then';
			else if (comments.addressSource?.has(name)) note(host, 'address', `from ${comments.addressSource.get(name)!}`, 'after');
			note(host, 'keepalived', 'keepalived.conf of this director only: router_id (false: none), lines inside global_defs, top-level blocks');
		}
	}
	const keepalived = pairOf(root, 'keepalived')?.value;
	note(keepalived, 'global_defs', 'keepalived.conf lines inside global_defs on every director, written as they are');
	note(keepalived, 'extra', 'top-level keepalived.conf blocks the typed fields below do not hold, written as they are on every director');
	note(keepalived, 'auto_script_security', 'the directors run their vrrp_scripts without lvsdeck\'s enable_script_security + script_user root');
	const mark = (node: unknown): void => {
		if (isSeq(node)) for (const item of node.items) mark(item);
		if (!isMap(node)) return;
		note(node, 'omit', "keepalived's defaults: not written to keepalived.conf", 'after');
		for (const pair of node.items as Array<Pair<Scalar, Node>>) if (String(pair.key.value) !== 'hosts' && String(pair.key.value) !== 'keepalived') mark(pair.value);
	};
	mark(root);
	const instances = pairOf(root, 'vrrp_instances')?.value;
	if (isSeq(instances)) {
		for (const inst of instances.items) {
			note(inst, 'extra', 'keepalived.conf lines of this instance the typed fields do not hold (per director: under directors)');
		}
	}
}

export function profileYaml(doc: Doc, comments: YamlComments): string {
	const yaml = new Document(doc);
	style(yaml.contents, undefined, undefined);
	commentTree(yaml, comments);
	yaml.commentBefore = comments.header.map((l) => ` ${l}`).join('\n');
	return yaml.toString({lineWidth: 0, flowCollectionPadding: false});
}
