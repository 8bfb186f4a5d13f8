// The one pattern for names a client or key owner chooses: API key names and client ids (a
// client id defaults to its key's name, so both must accept the same names).
export const NAME_PATTERN = '^[A-Za-z0-9._:@-]{1,128}$'
export const NAME = new RegExp(NAME_PATTERN)
/** For messages: what a valid name is made of. */
export const NAME_RULE = '1-128 of A-Z a-z 0-9 . _ : @ -'
