// keepalived 2.2.7's line rules: comments, quotes, braces, definitions, conditionals, includes.
import {describe, expect, it} from 'vitest';
import {filesFromMap, parseKeepalivedConf, parseKeepalivedTree, type SyntaxNode} from '../../../src/keepalived-conf/index.js';

function tree(text: string, options: Parameters<typeof parseKeepalivedTree>[1] = {}): SyntaxNode[] {
	const r = parseKeepalivedTree(text, {file: '/etc/keepalived/keepalived.conf', ...options});
	if (!r.ok) throw new Error(r.error.message);
	return r.tree;
}

/** Each node as `keyword arg...`, nested blocks as `{...}`. */
function shape(nodes: readonly SyntaxNode[]): string[] {
	return nodes.map((n) => [n.keyword, ...n.args].join(' ') + (n.children ? ` {${shape(n.children).join('; ')}}` : ''));
}

describe('comments', () => {
	it('! and # start a comment anywhere outside double quotes, even inside a word', () => {
		expect(shape(tree('router_id a#b\nfoo x!y z\n# whole line\n! whole line\n'))).toEqual(['router_id a', 'foo x']);
	});

	it('inside double quotes # and ! are text; \\# outside quotes is a literal #', () => {
		expect(shape(tree('script "/bin/x # y!"\nnotify_master /usr/bin/logger\\#tag\n'))).toEqual(['script /bin/x # y!', 'notify_master /usr/bin/logger#tag']);
	});

	it('single quotes do not protect a comment character', () => {
		expect(shape(tree("script '/bin/x # y'\n"))).toEqual(["script '/bin/x"]);
	});
});

describe('words, quotes and white space', () => {
	it('a double-quoted string is one word without its quotes', () => {
		expect(tree('notify "/usr/bin/logger -t ka"\n')[0]?.args).toEqual(['/usr/bin/logger -t ka']);
	});

	it('a no-break space is not white space for keepalived', () => {
		expect(tree('\u00a0 connect_timeout 10\n')[0]?.keyword).toBe('\u00a0');
	});

	it('an unmatched quote is reported with its line and the words before it are kept', () => {
		const r = parseKeepalivedTree('a b "c d\n', {file: 'k.conf'});
		expect(r.ok && shape(r.tree)).toEqual(['a b']);
		expect(r.diagnostics.map((d) => [d.code, d.loc?.line])).toContainEqual(['unmatched-quote', 1]);
	});

	it('CRLF endings and a missing final newline read like LF', () => {
		const lf = shape(tree('a {\n  b 1\n}\nc 2\n'));
		expect(shape(tree('a {\r\n  b 1\r\n}\r\nc 2'))).toEqual(lf);
	});
});

describe('braces', () => {
	it('a brace glued to a word, on its own line or closing on the same line all make the same block', () => {
		const expected = ['real_server 10.0.0.1 80 {weight 1; TCP_CHECK {connect_timeout 3}}'];
		expect(shape(tree('real_server 10.0.0.1 80{\nweight 1\nTCP_CHECK{\nconnect_timeout 3\n}}\n'))).toEqual(expected);
		expect(shape(tree('real_server 10.0.0.1 80\n{\n  weight 1\n  TCP_CHECK\n  {\n    connect_timeout 3\n  }\n}\n'))).toEqual(expected);
		expect(shape(tree('real_server 10.0.0.1 80 { weight 1\nTCP_CHECK { connect_timeout 3 } }\n'))).toEqual(expected);
	});

	it('braces inside double quotes are text', () => {
		expect(shape(tree('notify "/x {state}"\n'))).toEqual(['notify /x {state}']);
	});

	it('locations give the file, line and column of each keyword', () => {
		const [vs] = tree('\n  virtual_server 1.2.3.4 80 {\n\tdelay_loop 6 }\n');
		expect(vs?.loc).toEqual({file: '/etc/keepalived/keepalived.conf', line: 2, col: 3});
		expect(vs?.children?.[0]?.loc).toEqual({file: '/etc/keepalived/keepalived.conf', line: 3, col: 2});
	});

	it('an extra } is one error naming file:line:col', () => {
		const r = parseKeepalivedTree('a {\n b 1\n}\n  }\n', {file: 'x.conf'});
		expect(r.ok).toBe(false);
		expect(!r.ok && r.error).toMatchObject({code: 'unbalanced-braces', loc: {file: 'x.conf', line: 4, col: 3}});
	});

	it('a block never closed is one error at the line that opened it', () => {
		const r = parseKeepalivedTree('a {\n b {\n  c 1\n }\n', {file: 'x.conf'});
		expect(!r.ok && r.error.loc).toEqual({file: 'x.conf', line: 1, col: 1});
		expect(!r.ok && r.error.message).toContain("'a'");
	});
});

describe('definitions', () => {
	it('$NAME and ${NAME} are replaced; $NAME must end at a blank, comma, ) or the line end', () => {
		expect(shape(tree('$VIP=10.0.0.1\nip $VIP\nnet ${VIP}/24\nraw $VIP/24\n'))).toEqual(['ip 10.0.0.1', 'net 10.0.0.1/24', 'raw $VIP/24']);
	});

	it('a multi-line definition used alone on a line becomes several lines, nested uses included', () => {
		const text = '$CHK=TCP_CHECK { \\\n connect_timeout 3 \\\n}\n$RS=real_server $IP 80 { \\\n weight 1 \\\n $CHK \\\n}\nvs {\n$IP=10.0.0.1\n $RS\n$IP=10.0.0.2\n $RS\n}\n';
		expect(shape(tree(text))).toEqual(['vs {real_server 10.0.0.1 80 {weight 1; TCP_CHECK {connect_timeout 3}}; real_server 10.0.0.2 80 {weight 1; TCP_CHECK {connect_timeout 3}}}']);
	});

	it('standard definitions: _INSTANCE is the config id, _RANDOM is injectable', () => {
		expect(shape(tree('a $_INSTANCE\nb ${_RANDOM 5 9}\n', {configId: 'dir2', random: () => 0}))).toEqual(['a dir2', 'b 5']);
	});

	it('~SEQ and ~LST repeat a line with a definition set', () => {
		expect(shape(tree('~SEQ(i, 1, 2, 5) rs 10.0.0.$i\n'))).toEqual(['rs 10.0.0.1', 'rs 10.0.0.3', 'rs 10.0.0.5']);
		expect(shape(tree('~LST({ip, w}, {10.0.0.1, 2}, {10.0.0.2, 3}) rs $ip $w\n'))).toEqual(['rs 10.0.0.1 2', 'rs 10.0.0.2 3']);
	});
});

describe('@ conditionals', () => {
	const text = '@dir1 priority 100\n@dir2 priority 90\n@^dir1 state BACKUP\nadvert_int 1\n';

	it('evaluated against the config id, as keepalived does', () => {
		expect(shape(tree(text, {configId: 'dir1'}))).toEqual(['priority 100', 'advert_int 1']);
		expect(shape(tree(text, {configId: 'dir2'}))).toEqual(['priority 90', 'state BACKUP', 'advert_int 1']);
	});

	it('kept (all of them, annotated) for a per-director import', () => {
		const nodes = tree(text, {conditionals: 'keep'});
		expect(nodes.map((n) => n.condition)).toEqual([{id: 'dir1', negate: false}, {id: 'dir2', negate: false}, {id: 'dir1', negate: true}, undefined]);
	});
});

describe('include', () => {
	const files = filesFromMap({
		'/etc/keepalived/keepalived.conf': 'include conf.d/*.conf\ninclude /etc/keepalived/extra/{b,a}.inc\n',
		'/etc/keepalived/conf.d/20-b.conf': 'b 2\n',
		'/etc/keepalived/conf.d/10-a.conf': 'vrrp_instance X {\n include ../vips/*.list\n}\n',
		'/etc/keepalived/conf.d/.hidden.conf': 'hidden 1\n',
		'/etc/keepalived/vips/one.list': 'v 1\n',
		'/etc/keepalived/extra/a.inc': 'ea 1\n',
		'/etc/keepalived/extra/b.inc': 'eb 1\n',
	});

	it('follows globs in sorted order, relative to the including file, braces in the order written, anywhere in a block', () => {
		const r = parseKeepalivedTree(files.readFile('/etc/keepalived/keepalived.conf') as string, {file: '/etc/keepalived/keepalived.conf', files});
		expect(r.ok && shape(r.tree)).toEqual(['vrrp_instance X {v 1}', 'b 2', 'eb 1', 'ea 1']);
		expect(r.ok && r.tree[0]?.children?.[0]?.loc).toEqual({file: '/etc/keepalived/vips/one.list', line: 1, col: 1});
		expect(r.ok && r.files).toEqual(['/etc/keepalived/keepalived.conf', '/etc/keepalived/conf.d/10-a.conf', '/etc/keepalived/vips/one.list', '/etc/keepalived/conf.d/20-b.conf', '/etc/keepalived/extra/b.inc', '/etc/keepalived/extra/a.inc']);
	});

	it('an include matching nothing is a warning with its line', () => {
		const r = parseKeepalivedTree('a 1\ninclude /nowhere/*.conf\n', {file: 'k.conf', files});
		expect(r.diagnostics.map((d) => [d.code, d.loc?.line])).toContainEqual(['include-missing', 2]);
	});

	it('can be kept as a node instead of followed', () => {
		expect(shape(tree('include conf.d/*.conf\n', {includes: 'keep'}))).toEqual(['include conf.d/*.conf']);
	});
});

describe('a multi-line definition that uses itself', () => {
	it('stops expanding with one located warning instead of running out of memory', () => {
		const text = '$CHECK=TCP_CHECK { \\\n    $CHECK \\\n}\nvirtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n    $CHECK\n  }\n}\n';
		const r = parseKeepalivedConf(text, {file: 'loop.conf', configId: 'a'});
		expect(r.ok).toBe(true);
		const loops = r.diagnostics.filter((d) => d.code === 'definition-loop');
		expect(loops).toHaveLength(1);
		expect(loops[0]!.loc).toEqual({file: 'loop.conf', line: 6, col: 5});
	});
});
