// Module resolution hooks for shipped-code.mjs: a module resolved into src/ as .ts or .tsx is loaded
// from the same path in dist/ as .js (tsc's output of it). Registered after tsx, so these run first and
// ask tsx (next) to resolve, then redirect what it found.
const SRC = new URL('../src/', import.meta.url).href;
const DIST = new URL('../dist/', import.meta.url).href;

export async function resolve(specifier, context, next) {
	const resolved = await next(specifier, context);
	if (!resolved.url.startsWith(SRC) || !/\.tsx?$/.test(resolved.url)) return resolved;
	return {...resolved, url: DIST + resolved.url.slice(SRC.length).replace(/\.tsx?$/, '.js'), format: 'module'};
}
