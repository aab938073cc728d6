// A small XML 1.0 well-formedness check (no dependency): only XML characters, one root element,
// every element closed in order, attributes quoted and unique, references well-formed, no stray < or &.
// Returns the first problem, or undefined for a well-formed document.

const NAME = '[A-Za-z_:][A-Za-z0-9_.:-]*';
const REFERENCE = /^&(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/;
// XML 1.0 Char: tab, newline, carriage return, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF.
const NOT_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const ATTRIBUTE = new RegExp(`^\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`);

function checkCharData(text: string, at: number): string | undefined {
	for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
		if (!REFERENCE.test(text.slice(i))) return `bad reference at ${at + i}`;
	}
	return text.includes('<') ? `stray < at ${at}` : undefined;
}

export function xmlProblem(doc: string): string | undefined {
	const bad = NOT_CHAR.exec(doc);
	if (bad) return `character U+${bad[0].codePointAt(0)!.toString(16)} is not allowed in XML (at ${bad.index})`;
	let i = 0;
	const prolog = /^<\?xml[^?]*\?>\s*/.exec(doc);
	if (prolog) i = prolog[0].length;
	const stack: string[] = [];
	let roots = 0;
	while (i < doc.length) {
		const lt = doc.indexOf('<', i);
		const text = doc.slice(i, lt < 0 ? doc.length : lt);
		if (stack.length === 0 && text.trim() !== '') return `text outside the root element at ${i}`;
		const textProblem = checkCharData(text, i);
		if (textProblem) return textProblem;
		if (lt < 0) break;
		const close = new RegExp(`^</(${NAME})\\s*>`).exec(doc.slice(lt));
		if (close) {
			if (stack.pop() !== close[1]) return `</${close[1]}> at ${lt} does not close the open element`;
			i = lt + close[0].length;
			continue;
		}
		const open = new RegExp(`^<(${NAME})`).exec(doc.slice(lt));
		if (!open) return `bad markup at ${lt}`;
		let j = lt + open[0].length;
		const seen = new Set<string>();
		for (;;) {
			const attr = ATTRIBUTE.exec(doc.slice(j));
			if (!attr) break;
			if (seen.has(attr[1]!)) return `duplicate attribute ${attr[1]} at ${j}`;
			seen.add(attr[1]!);
			const valueProblem = checkCharData(attr[2]!.slice(1, -1), j);
			if (valueProblem) return valueProblem;
			j += attr[0].length;
		}
		const end = /^\s*(\/?)>/.exec(doc.slice(j));
		if (!end) return `unterminated start tag <${open[1]}> at ${lt}`;
		if (stack.length === 0) roots++;
		if (roots > 1) return `second root element at ${lt}`;
		if (end[1] !== '/') stack.push(open[1]!);
		i = j + end[0].length;
	}
	if (stack.length > 0) return `unclosed <${stack.at(-1)}>`;
	return roots === 1 ? undefined : 'no root element';
}
