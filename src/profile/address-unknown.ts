// The address of a host whose address is not known yet (an import without one): a module of its own, so
// that what needs only this word (the early TCP connections) does not load the profile's schema.
export const ADDRESS_UNKNOWN = 'unknown';
