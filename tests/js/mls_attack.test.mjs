// A malicious Delivery Service against the E2EE v2 member layer
// (web/sdk/e2ee_mls_member.js, docs/protocol.md §7).
//
// What such a server can really do: it relays every KeyPackage and Welcome,
// so it can hand Alice a KeyPackage of its own making that claims to be Bob
// (credential "bob"/"Bob", the server's signature and HPKE keys). Alice
// cannot tell from the KeyPackage alone; she adds it, and her Welcome is
// encrypted to the server's key. Two outcomes:
//  (a) the server forwards Alice's Welcome to the real Bob: he cannot decrypt
//      it (it is not for his KeyPackage), so he never joins; the server sits
//      in Alice's group as "Bob". Bob's app shows no room code at all.
//  (b) the server also plays "Alice" to Bob: it makes a second group with the
//      same group id, its own fake Alice, its own external-sender entry, adds
//      Bob's real KeyPackage and sends Bob that Welcome. Both groups are at
//      epoch 1 and both rosters read {alice, bob}: the roster check passes on
//      both sides and the server decrypts both. What gives it away is the
//      codes: each group's epoch authenticator comes from that group's own
//      secrets and context (its tree holds different leaves), so the room codes
//      differ, and so do the pairwise codes (each side sees a different key for
//      the other). To make the room codes agree the server would have to make
//      the group it commits in (Bob's) hit the 30 digits of the other (Alice's,
//      fixed by Alice's fresh commit secret once she commits): it can retry its
//      own commit as often as it likes, but each try gives an unpredictable KDF
//      output, so it needs ~2^99.66 tries (ROOM_CODE_BITS).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

const vendor = new URL('../../web/sdk/mls_vendor.js', import.meta.url);
if (!existsSync(vendor)) throw new Error('web/sdk/mls_vendor.js is missing: run scripts/setup.sh (or scripts/build-web.sh)');

const { DeliveryService, makeServerSender } = await import('./mls_ds.mjs');
const tsmls = await import('./mls_tsmls.mjs');
const { MlsEvent } = await import('../../web/sdk/e2ee_mls_member.js');
const { MlsSuite, encodeCredential } = await import('../../web/sdk/e2ee_mls.js');
const { generateSignatureKeyPair } = await import('../../web/sdk/e2ee_identity_store.js');
const { ROOM_CODE_BITS, FRAME_SUITE, frameKid } = await import('../../web/sdk/e2ee_mls_keys.js');
const { SframeSender, SframeReceiver } = await import('../../web/sdk/sframe.js');
const { base64UrlEncode, base64UrlDecode } = await import('../../web/sdk/e2ee_identity.js');

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const suite = MlsSuite.XWING;
const server = await makeServerSender();
const cs = await tsmls.getCiphersuiteImpl(tsmls.getCiphersuiteFromName(tsmls.getCiphersuiteNameFromId(suite)));

// A KeyPackage made by the server, claiming (identity, name), with keys it holds.
async function forgedKeyPackage(identity, name) {
  return tsmls.generateKeyPackageWithKey({ credentialType: 'basic', identity: encodeCredential(identity, name) },
    tsmls.defaultCapabilities(), tsmls.defaultLifetime, [], await cs.signature.keygen(), cs);
}
const kpBlob = (kp) => base64UrlEncode(tsmls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: kp.publicPackage }));
const baseKeyOf = (state) => tsmls.mlsExporter(state.keySchedule.exporterSecret, 'SFrame 1.0 Base Key', new Uint8Array(0), 16, cs);

async function aliceFirst() {
  const ds = new DeliveryService({ suite, server });
  const alice = await ds.join({ identity: 'alice', name: 'Alice', signatureKeyPair: await generateSignatureKeyPair() });
  await ds.settle();
  const fakeBob = await forgedKeyPackage('bob', 'Bob');
  // Alice is told Bob's KeyPackage is the forged one; Alice's Welcome is kept.
  ds.tamper = (to, msg) => {
    if (to === alice.id && msg.type === 'participant_joined' && msg.participant.identity === 'bob') {
      return { ...msg, participant: { ...msg.participant, key_package: kpBlob(fakeBob) } };
    }
    if (msg.type === 'mls_welcome') ds.aliceWelcome = msg;
    return msg;
  };
  return { ds, alice, fakeBob };
}

test('malicious DS (a): a substituted KeyPackage for Bob puts the server in Alice\'s group; the real Bob cannot join with her Welcome', async () => {
  const { ds, alice, fakeBob } = await aliceFirst();
  const bob = await ds.join({ identity: 'bob', name: 'Bob', signatureKeyPair: await generateSignatureKeyPair() });
  await ds.settle();
  // The server decrypts Alice's group through the forged leaf.
  const welcome = tsmls.decodeMlsMessage(base64UrlDecode(ds.aliceWelcome.welcome), 0)[0].welcome;
  const serverAsBob = await tsmls.joinGroup(welcome, fakeBob.publicPackage, fakeBob.privatePackage, tsmls.emptyPskIndex, cs);
  assert.equal(hex(await baseKeyOf(serverAsBob)), hex((await alice.member.frameBaseKey()).baseKey));
  // Alice's roster check cannot see it: "bob" is in the call and in her group.
  assert.equal(alice.member.rosterCheck().ok, true);
  // The real Bob refused the Welcome (not for his KeyPackage) and is not in any group.
  assert.deepEqual(ds.events(bob.id, MlsEvent.REFUSED).map((e) => [e.what, e.reason]), [['welcome', 'invalid']]);
  assert.equal(bob.member.phase, 'waiting');
  assert.equal(bob.member.roomCode(), null);
  assert.notEqual(alice.member.roomCode(), bob.member.roomCode());
});

test('malicious DS (b): split groups, the server as "Bob" to Alice and as "Alice" to Bob: rosters pass, but room and pairwise codes differ', async (t) => {
  const { ds, alice, fakeBob } = await aliceFirst();
  const bob = await ds.join({ identity: 'bob', name: 'Bob', signatureKeyPair: await generateSignatureKeyPair() });
  // The server's group for Bob: same group id, its fake Alice, its own external sender, Bob's real KeyPackage.
  const fakeAlice = await forgedKeyPackage('alice', 'Alice');
  const bobGroup0 = await tsmls.createGroup(ds.group.groupId, fakeAlice.publicPackage, fakeAlice.privatePackage,
    [{ extensionType: 'external_senders', extensionData: server.externalSender }], cs);
  const bobKp = tsmls.decodeMlsMessage(base64UrlDecode(bob.keyPackage), 0)[0].keyPackage;
  const bobGroup = await tsmls.createCommit({ state: bobGroup0, cipherSuite: cs },
    { extraProposals: [{ proposalType: 'add', add: { keyPackage: bobKp } }], ratchetTreeExtension: true });
  const welcomeForBob = base64UrlEncode(tsmls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: bobGroup.welcome }));
  const substitute = ds.tamper;
  ds.tamper = (to, msg) => {
    const out = substitute(to, msg);
    return to === bob.id && msg.type === 'mls_welcome' ? { ...out, welcome: welcomeForBob } : out;
  };
  await ds.settle();
  const welcome = tsmls.decodeMlsMessage(base64UrlDecode(ds.aliceWelcome.welcome), 0)[0].welcome;
  const serverAsBob = await tsmls.joinGroup(welcome, fakeBob.publicPackage, fakeBob.privatePackage, tsmls.emptyPskIndex, cs);

  // Both joined "the room's group" at epoch 1, and each roster matches the call.
  assert.equal(alice.member.epoch, 1n);
  assert.equal(bob.member.epoch, 1n);
  assert.equal(alice.member.rosterCheck().ok, true);
  assert.equal(bob.member.rosterCheck().ok, true);
  assert.deepEqual(ds.events(bob.id, MlsEvent.REFUSED), []);
  // The server holds both groups' frame keys: a real man in the middle.
  const aliceKey = (await alice.member.frameBaseKey()).baseKey;
  const bobKey = (await bob.member.frameBaseKey()).baseKey;
  assert.equal(hex(await baseKeyOf(serverAsBob)), hex(aliceKey));
  assert.equal(hex(await baseKeyOf(bobGroup.newState)), hex(bobKey));
  const kid = frameKid({ context: 1, leaf: 0, epoch: 1 });
  const frame = await (await SframeSender.create(FRAME_SUITE, kid, aliceKey)).encrypt(new TextEncoder().encode('video'));
  const receiver = new SframeReceiver(FRAME_SUITE);
  await receiver.addKey(kid, await baseKeyOf(serverAsBob));
  assert.equal(new TextDecoder().decode(await receiver.decrypt(frame)), 'video');

  // What Alice and Bob read to each other differs.
  const aliceCode = alice.member.roomCode();
  const bobCode = bob.member.roomCode();
  assert.notEqual(aliceCode, bobCode);
  const alicePair = await alice.member.pairwiseCodeWith(1);
  const bobPair = await bob.member.pairwiseCodeWith(0);
  assert.notEqual(alicePair, bobPair);
  const sameDigits = [...aliceCode].filter((ch, i) => ch !== ' ' && ch === bobCode[i]).length;
  t.diagnostic(`room codes: Alice ${aliceCode} / Bob ${bobCode} (${sameDigits} of 30 digits equal by chance)`);
  t.diagnostic(`pairwise codes: Alice ${alicePair} / Bob ${bobPair}`);
  t.diagnostic(`to make the room codes agree the server must hit 30 given digits: ${ROOM_CODE_BITS.toFixed(2)} bits, ~2^${ROOM_CODE_BITS.toFixed(1)} tries of its own commit`);
  assert.ok(ROOM_CODE_BITS > 99.6);
});

test('malicious DS (c): a ghost announced to Alice only: Alice adds it, Bob refuses the commit and stops; his roster check would show the ghost', async () => {
  const ds = new DeliveryService({ suite, server });
  const alice = await ds.join({ identity: 'alice', name: 'Alice', signatureKeyPair: await generateSignatureKeyPair() });
  await ds.settle();
  const bob = await ds.join({ identity: 'bob', name: 'Bob', signatureKeyPair: await generateSignatureKeyPair() });
  await ds.settle();
  const eve = await forgedKeyPackage('eve', 'Eve');
  ds.inject(alice.id, { v: 2, type: 'participant_joined', participant: { id: 'ghost', name: 'Eve', identity: 'eve', tracks: [], key_package: kpBlob(eve) } });
  await ds.settle();
  assert.deepEqual(alice.member.roster().map((m) => m.identity), ['alice', 'bob', 'eve']);
  assert.equal(alice.member.rosterCheck().ok, true);  // Alice's participant list has Eve in it: her app shows Eve in the call
  assert.deepEqual(ds.events(bob.id, MlsEvent.FAILED).map((e) => [e.reason, e.detail]), [['commit_refused', 'add_unannounced']]);
  assert.equal(bob.member.phase, 'failed');
  // Had Bob taken the commit anyway, his roster check names the ghost.
  const { checkRoster, rosterOf } = await import('../../web/sdk/e2ee_mls.js');
  const bobView = checkRoster(rosterOf(alice.member.state), [{ identity: 'alice', name: 'Alice' }, { identity: 'bob', name: 'Bob' }]);
  assert.deepEqual(bobView.ghosts.map((m) => m.identity), ['eve']);
});
