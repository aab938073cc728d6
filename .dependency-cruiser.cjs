// The layering rule of lvsdeck, written once (ARCHITECTURE.md explains it). Layers from the bottom up;
// a module may import its own layer and the layers below it, never one above. Checked by
// scripts/check-layers.sh (run by `npm test` and so by .ci/run) with dependency-cruiser.
/** Each layer: a name and the path patterns (relative to the repository) of its modules. */
const LAYERS = [
	{name: 'text', paths: ['src/text/', 'src/keepalived-conf/']},
	{name: 'profile', paths: ['src/profile/', 'src/render/']},
	{name: 'transport', paths: ['src/transport/']},
	{name: 'probes', paths: ['src/probes/']},
	{name: 'cluster', paths: ['src/cluster/']},
	{name: 'operations', paths: ['src/actions/', 'src/lab/']},
	{name: 'views', paths: ['src/ui/']},
	{name: 'commands', paths: ['src/commands/', 'src/main.tsx', 'src/cli.ts', 'src/station.ts', 'src/cli-error.ts']},
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathPattern = (paths) => `^(${paths.map(escape).join('|')})`;

/** One rule per layer: nothing in it imports a module of any layer above it. */
const upwardRules = LAYERS.slice(0, -1).map((layer, index) => ({
	name: `layer-${layer.name}-imports-upward`,
	comment: `${layer.name} (${layer.paths.join(', ')}) may import only its own layer and the ones below it`,
	severity: 'error',
	from: {path: pathPattern(layer.paths)},
	to: {path: pathPattern(LAYERS.slice(index + 1).flatMap((above) => above.paths))},
}));

module.exports = {

	forbidden: [
		...upwardRules,
		{
			name: 'no-circular',
			comment: 'no import cycles, type-only imports included',
			severity: 'error',
			from: {path: '^src/'},
			to: {circular: true},
		},
		{
			name: 'views-import-no-transport',
			comment: 'views draw state and start operations through the sessions they are given; they never hold a transport',
			severity: 'error',
			from: {path: '^src/ui/'},
			to: {path: '^src/transport/'},
		},
		{
			name: 'src-imports-no-tests-or-bench',
			comment: 'the shipped package never depends on tests or benchmarks',
			severity: 'error',
			from: {path: '^src/'},
			to: {path: '^(test|bench)/'},
		},
	],
	options: {
		doNotFollow: {path: 'node_modules'},
		tsPreCompilationDeps: true,
		tsConfig: {fileName: 'tsconfig.json'},
	},
};
