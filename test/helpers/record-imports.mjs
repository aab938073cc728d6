// `node --import ./record-imports.mjs ...`: appends every module URL the process resolves to the file
// named by LVSDECK_RECORD_IMPORTS, one per line (the start-up test reads which packages a command loads).
import {register} from 'node:module';

const hooks = `
import {appendFileSync} from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
	const result = await next(specifier, context);
	appendFileSync(file, result.url + '\\n');
	return result;
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {data: {file: process.env.LVSDECK_RECORD_IMPORTS}});
