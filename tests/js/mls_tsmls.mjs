// ts-mls straight from node_modules for the tests' server and attackers (the
// SDK itself uses the bundle, web/sdk/mls_vendor.js). Its own files, not its
// index: the index also loads the "noble" crypto provider, which imports
// @noble/hashes, a package ts-mls 1.6.4 does not declare (so npm does not
// install it).
export { getCiphersuiteFromName, getCiphersuiteNameFromId } from 'ts-mls/crypto/ciphersuite.js';
export { getCiphersuiteImpl } from 'ts-mls/crypto/getCiphersuiteImpl.js';
export { encodeExternalSender } from 'ts-mls/externalSender.js';
export { proposeExternal } from 'ts-mls/externalProposal.js';
export { decodeMlsMessage, encodeMlsMessage } from 'ts-mls/message.js';
export { createGroup, joinGroup } from 'ts-mls/clientState.js';
export { createCommit } from 'ts-mls/createCommit.js';
export { generateKeyPackageWithKey } from 'ts-mls/keyPackage.js';
export { defaultCapabilities } from 'ts-mls/defaultCapabilities.js';
export { defaultLifetime } from 'ts-mls/lifetime.js';
export { emptyPskIndex } from 'ts-mls/pskIndex.js';
export { mlsExporter } from 'ts-mls/keySchedule.js';
export { createApplicationMessage } from 'ts-mls/createMessage.js';
