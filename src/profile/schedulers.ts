// The IPVS schedulers lvsdeck knows by name: what a profile may name (keepalived's lb_algo), what
// import lifts, and the words the IPVS parser gives as one string each.
export const IPVS_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'] as const;
