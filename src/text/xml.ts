// Text for XML 1.0 documents (the drill's JUnit report): sanitized like every other output, stripped
// of what XML 1.0 does not allow at all, and escaped for element content or attribute values.
import {sanitizeText} from './sanitize.js';

// After sanitizeText only the noncharacters U+FFFE and U+FFFF remain outside XML 1.0's Char production
// (controls, lone surrogates and the rest are gone already).
const NOT_XML = /[\uFFFE\uFFFF]/g;

const ENTITIES: Readonly<Record<string, string>> = {'<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\t': '&#9;'};

function xmlSafe(text: string): string {
	return sanitizeText(text).replace(NOT_XML, '');
}

/** Element content: markup characters escaped; newlines and tabs kept as they are. */
export function xmlText(text: string): string {
	return xmlSafe(text).replace(/[<>&]/g, (c) => ENTITIES[c]!);
}

/** An attribute value (in double or single quotes); newlines and tabs as character references, which
 * attribute-value normalisation would otherwise turn into spaces. */
export function xmlAttr(text: string): string {
	return xmlSafe(text).replace(/[<>&"'\n\t]/g, (c) => ENTITIES[c]!);
}
