// The lab's own error (its boot report quotes the lab console on purpose), in a module of its own so the
// command line can recognise it without loading the lab's machinery.
export class LabError extends Error {}
