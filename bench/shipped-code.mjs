// `node --import tsx --import ./bench/shipped-code.mjs bench/...`: the bench's imports of src/*.ts run
// the compiled dist/*.js, which is what ships (package.json's bin is dist/cli.js), instead of tsx's
// transform of the sources. That transform keeps function names by wrapping every function in
// esbuild's `__name`, which redefines each function's `name`: every closure the code makes then holds
// a property dictionary of its own (at 100 clusters, 17,688 of them and 4.5 MB of heap) and costs a call
// the CLI never makes. Bench code itself (bench/*.ts) still runs through tsx. `npm run bench` builds
// dist first; run `npm run build` before starting a bench file by hand.
import {register} from 'node:module';

register('./shipped-code-hooks.mjs', import.meta.url);
