#!/usr/bin/env node
// Writes an MLS KeyPackage (the TLS-encoded MLSMessage, binary) for a
// credential the caller names, made with the SDK's own modules and a fresh
// signature key nobody keeps: what a key-substituting server would announce
// in place of a participant's real KeyPackage (e2ee_call.sh hands it to
// aegis-test-server --test-substitute-key-package).
//   make_key_package.mjs OUT_FILE IDENTITY NAME [SUITE]
import { writeFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

globalThis.crypto ??= webcrypto;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { MlsMember } = await import(path.join(repoRoot, 'web/sdk/e2ee_mls_member.js'));
const { generateSignatureKeyPair } = await import(path.join(repoRoot, 'web/sdk/e2ee_identity_store.js'));
const { DEFAULT_MLS_SUITE } = await import(path.join(repoRoot, 'web/sdk/e2ee_mls.js'));

const [out, identity, name, suiteArg] = process.argv.slice(2);
if (!out || !identity || name === undefined) {
  console.error('usage: make_key_package.mjs OUT_FILE IDENTITY NAME [SUITE]');
  process.exit(2);
}
const suite = suiteArg ? Number(suiteArg) : DEFAULT_MLS_SUITE;
const member = await MlsMember.create({ identity, name, signatureKeyPair: await generateSignatureKeyPair(), suite });
writeFileSync(out, member.keyPackage);
console.log(`make_key_package: ${member.keyPackage.length} bytes for ${identity} (suite ${suite}) -> ${out}`);
