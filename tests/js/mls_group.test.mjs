// E2EE v2 groups through a Delivery Service that follows docs/protocol.md §7
// (tests/js/mls_ds.mjs): forming, growing and shrinking a group, commit races,
// replays, removal and its frame keys, joiners and old epochs, chat, and the
// member-side validation of what others commit. Every member is an MlsMember
// (web/sdk/e2ee_mls_member.js) with a non-extractable WebCrypto signature key
// unless a test needs to forge with ts-mls directly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const vendor = new URL('../../web/sdk/mls_vendor.js', import.meta.url);
if (!existsSync(vendor)) throw new Error('web/sdk/mls_vendor.js is missing: run scripts/setup.sh (or scripts/build-web.sh)');

const { DeliveryService, makeServerSender, signRemove } = await import('./mls_ds.mjs');
const tsmls = await import('./mls_tsmls.mjs');
const { MlsMember, MlsEvent } = await import('../../web/sdk/e2ee_mls_member.js');
const { MlsSuite, encodeCredential, loadSuite } = await import('../../web/sdk/e2ee_mls.js');
const { generateSignatureKeyPair } = await import('../../web/sdk/e2ee_identity_store.js');
const { frameKid, FRAME_SUITE, FrameContext } = await import('../../web/sdk/e2ee_mls_keys.js');
const { SframeSender, SframeReceiver, SframeAuthError } = await import('../../web/sdk/sframe.js');
const { base64UrlEncode, base64UrlDecode } = await import('../../web/sdk/e2ee_identity.js');

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const utf8 = (s) => new TextEncoder().encode(s);
const server = await makeServerSender();

async function join(ds, identity, extra = {}) {
  const c = await ds.join({ identity, name: identity[0].toUpperCase() + identity.slice(1), signatureKeyPair: await generateSignatureKeyPair(), ...extra });
  await ds.settle();
  return c;
}

async function room(suite, names) {
  const ds = new DeliveryService({ suite, server });
  const clients = [];
  for (const n of names) clients.push(await join(ds, n));
  return { ds, clients };
}

// What everyone must agree on: epoch, room code, frame base key; and the roster matches the call.
async function assertAgreed(clients) {
  const views = await Promise.all(clients.map(async (c) => {
    const k = await c.member.frameBaseKey();
    return { epoch: c.member.epoch, code: c.member.roomCode(), key: hex(k.baseKey), keyEpoch: k.epoch };
  }));
  for (const v of views) assert.deepEqual(v, views[0]);
  for (const c of clients) {
    const check = c.member.rosterCheck();
    assert.ok(check.ok, `${c.identity}: ${JSON.stringify(check, (k, v) => (v instanceof Uint8Array ? hex(v) : v))}`);
    assert.equal(c.member.roster().length, clients.length);
  }
  return views[0];
}

// An SFrame frame from `c` in its current epoch on track `context`.
async function frameFrom(c, context = FrameContext.VIDEO) {
  const { epoch, baseKey } = await c.member.frameBaseKey();
  const kid = frameKid({ context, leaf: c.member.leaf, epoch });
  const sender = await SframeSender.create(FRAME_SUITE, kid, baseKey);
  return { kid, frame: await sender.encrypt(utf8(`frame of ${c.identity} in epoch ${epoch}`)) };
}

async function openWith(baseKey, { kid, frame }) {
  const receiver = new SframeReceiver(FRAME_SUITE);
  await receiver.addKey(kid, baseKey);
  return new TextDecoder().decode(await receiver.decrypt(frame));
}

for (const [suiteLabel, suite] of [['X-Wing (83)', MlsSuite.XWING], ['X25519 (1)', MlsSuite.X25519]]) {
  test(`${suiteLabel}: three members form a group through the DS and agree; a fourth joins and all four agree on new codes`, async () => {
    const { ds, clients } = await room(suite, ['alice', 'bob', 'carol']);
    const three = await assertAgreed(clients);
    assert.equal(three.epoch, 2n);  // creation, then one commit per joiner
    assert.match(three.code, /^\d{5}( \d{5}){5}$/);
    // Each member's frames open with every other member's base key.
    const f = await frameFrom(clients[1]);
    assert.match(await openWith((await clients[2].member.frameBaseKey()).baseKey, f), /frame of bob/);
    // mls_member told the server each leaf.
    assert.deepEqual([...ds.group.members.values()].sort(), [0, 1, 2]);

    clients.push(await join(ds, 'dave'));
    const four = await assertAgreed(clients);
    assert.equal(four.epoch, 3n);
    assert.notEqual(four.code, three.code);
    assert.notEqual(four.key, three.key);
    assert.equal(ds.refusals.length, 0);
    for (const c of clients) assert.deepEqual(ds.events(c.id, MlsEvent.FAILED), []);
  });
}

test('commit race: two members commit in one epoch; the server takes one, the other gets mls_stale_epoch, drops its commit and rebases', async () => {
  const { ds, clients } = await room(MlsSuite.X25519, ['alice', 'bob']);
  const [alice, bob] = clients;
  // Carol joins; Alice hears of it first and commits at once (leaf 0), Bob's
  // fallback timer is forced before Alice's commit reaches him, and Dave
  // joins after Alice committed but before Bob did: Bob's commit adds both.
  await ds.join({ identity: 'carol', name: 'Carol', signatureKeyPair: await generateSignatureKeyPair() });
  await alice.member.handleInput(alice.inbox.shift(), ds.now);  // participant_joined carol
  assert.equal(alice.member.hasPendingCommit, true);
  assert.equal(alice.member.epoch, 1n);  // not applied before the server sends it back
  await ds.join({ identity: 'dave', name: 'Dave', signatureKeyPair: await generateSignatureKeyPair() });
  while (bob.inbox.length) await bob.member.handleInput(bob.inbox.shift(), ds.now);
  assert.equal(bob.member.hasPendingCommit, false);  // leaf 1 waits its turn
  await bob.member.handleTimeout(ds.now + 10_000);
  assert.equal(bob.member.hasPendingCommit, true);
  await ds.settle();
  assert.deepEqual(ds.refusals.map((r) => [r.from, r.code]), [[bob.id, 'mls_stale_epoch']]);
  // Everyone applied Alice's commit (Carol), none Bob's (Carol and Dave); Dave
  // came in a later commit made from the new epoch.
  assert.deepEqual(ds.accepted.map((c) => c.from), [alice.id, alice.id, alice.id]);  // bob, carol, dave
  assert.equal(ds.accepted.length, 3);
  const all = [...ds.clients.values()];
  const agreed = await assertAgreed(all);
  assert.equal(agreed.epoch, 3n);
  for (const c of all) assert.equal(c.member.hasPendingCommit, false);
});

test('mls_refused: the commit is dropped, reported, and not retried in that epoch', async () => {
  const { ds, clients } = await room(MlsSuite.X25519, ['alice', 'bob']);
  const [alice] = clients;
  await ds.join({ identity: 'carol', name: 'Carol', signatureKeyPair: await generateSignatureKeyPair() });
  await alice.member.handleInput(alice.inbox.shift(), ds.now);
  const sent = alice.member.pollTransmit();
  assert.equal(sent.type, 'mls_commit');
  await alice.member.handleInput({ v: 2, type: 'error', code: 'mls_refused', message: 'no', re: sent.id }, ds.now);
  assert.deepEqual(alice.member.pollEvent(), { type: MlsEvent.COMMIT_REFUSED, epoch: 1n });
  assert.equal(alice.member.hasPendingCommit, false);
  assert.equal(alice.member.epoch, 1n);
  assert.equal(alice.member.nextTimeout(), null);
  await alice.member.handleTimeout(ds.now + 60_000);
  assert.equal(alice.member.pollTransmit(), undefined);
});

test('a replayed old commit is refused by its epoch and changes nothing', async () => {
  const { ds, clients } = await room(MlsSuite.X25519, ['alice', 'bob', 'carol']);
  const alice = clients[0];
  const before = { epoch: alice.member.epoch, code: alice.member.roomCode(), key: hex((await alice.member.frameBaseKey()).baseKey) };
  const state = alice.member.state;
  for (const old of ds.accepted) {
    ds.inject(alice.id, old);                              // as it was
    ds.inject(alice.id, { ...old, epoch: Number(before.epoch) });  // with the JSON epoch made current
  }
  await ds.settle();
  const refused = ds.events(alice.id, MlsEvent.REFUSED);
  assert.equal(refused.length, 2 * ds.accepted.length);
  for (const e of refused) assert.deepEqual([e.what, e.reason], ['commit', 'old_epoch']);
  assert.equal(alice.member.state, state);  // the very same state object
  assert.deepEqual({ epoch: alice.member.epoch, code: alice.member.roomCode(), key: hex((await alice.member.frameBaseKey()).baseKey) }, before);
  assert.deepEqual(ds.events(alice.id, MlsEvent.FAILED), []);
  await assertAgreed(clients);
});

test('removal: the server\'s external Remove is committed; the removed member cannot derive the next epoch\'s frame key nor decrypt its frames', async () => {
  const { ds, clients } = await room(MlsSuite.XWING, ['alice', 'bob', 'carol']);
  const [alice, bob, carol] = clients;
  const oldKey = (await carol.member.frameBaseKey()).baseKey;
  await ds.leave(carol.id);  // participant_left + mls_proposal (Remove leaf 2), signed with the server's key
  await ds.settle();
  assert.equal(ds.group.pending.size, 0);
  await assertAgreed([alice, bob]);
  assert.equal(alice.member.epoch, 3n);
  // Carol kept her state (she heard nothing after leaving): her key is epoch 2's.
  const carolView = await carol.member.frameBaseKey();
  assert.equal(carolView.epoch, 2n);
  assert.equal(hex(carolView.baseKey), hex(oldKey));
  const newKey = (await alice.member.frameBaseKey()).baseKey;
  assert.notEqual(hex(newKey), hex(oldKey));
  // A frame of epoch 3 opens for Bob and not with anything Carol holds.
  const frame = await frameFrom(alice);
  assert.match(await openWith((await bob.member.frameBaseKey()).baseKey, frame), /epoch 3/);
  await assert.rejects(openWith(carolView.baseKey, frame), SframeAuthError);
  // Had Carol still heard the server's proposal and the commit that removed
  // her, she would know she is out and hold no key at all. (Ed25519 signs
  // deterministically: this is the very proposal the others got.)
  ds.clients.set(carol.id, carol);
  const proposal = await signRemove(server, { groupId: ds.group.groupId, epoch: 2, leaf: 2, suiteName: ds.suiteName });
  ds.inject(carol.id, { v: 2, type: 'mls_proposal', epoch: 2, proposal: base64UrlEncode(proposal) });
  ds.inject(carol.id, ds.accepted.at(-1));
  await ds.settle();
  assert.deepEqual(ds.events(carol.id, MlsEvent.FAILED), []);
  assert.equal(carol.member.phase, 'removed');
  assert.equal(await carol.member.frameBaseKey(), null);
  assert.equal(ds.events(carol.id, MlsEvent.REMOVED).length, 1);
});

test('a Remove proposal not signed by the server\'s external sender key is refused and never committed', async () => {
  const { ds, clients } = await room(MlsSuite.X25519, ['alice', 'bob', 'carol']);
  const impostor = await makeServerSender();  // another Ed25519 key, same "aegis-server" credential
  const forged = await signRemove(impostor, { groupId: ds.group.groupId, epoch: ds.group.epoch, leaf: 2, suiteName: ds.suiteName });
  const epoch = clients[0].member.epoch;
  for (const c of clients) ds.inject(c.id, { v: 2, type: 'mls_proposal', epoch: ds.group.epoch, proposal: base64UrlEncode(forged) });
  await ds.settle();
  for (const c of clients) {
    assert.deepEqual(ds.events(c.id, MlsEvent.REFUSED).map((e) => [e.what, e.reason]), [['proposal', 'invalid']]);
    assert.equal(c.member.epoch, epoch);
  }
  assert.equal(ds.accepted.length, 2);
});

test('the server\'s external Remove (testdata/mls/external_remove_proposal.json, made by src/mls/): same bytes as ts-mls signs, and members accept and commit it', async () => {
  const fixture = JSON.parse(readFileSync(new URL('../../testdata/mls/external_remove_proposal.json', import.meta.url), 'utf8'));
  const fromHex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
  const base = await makeServerSender();
  // The fixture's test key, as the server's external sender.
  const fixed = { ...base, publicKey: fromHex(fixture.signature_key), signKey: fromHex(fixture.signature_seed), externalSender: fromHex(fixture.external_sender) };
  assert.equal(hex(tsmls.encodeExternalSender({
    signaturePublicKey: fixed.publicKey, credential: { credentialType: 'basic', identity: utf8('aegis-server') },
  })), fixture.external_sender);
  const ds = new DeliveryService({ suite: MlsSuite.X25519, server: fixed, groupId: fromHex(fixture.group_id) });
  // ts-mls signs the same proposal to the byte (Ed25519 is deterministic).
  assert.equal(hex(await signRemove(fixed, { groupId: fromHex(fixture.group_id), epoch: fixture.epoch, leaf: fixture.removed_leaf, suiteName: ds.suiteName })), fixture.proposal);
  const alice = await join(ds, 'alice');
  const bob = await join(ds, 'bob');
  assert.equal(alice.member.epoch, BigInt(fixture.epoch));
  assert.equal(bob.member.leaf, fixture.removed_leaf);
  // Bob leaves; the server's proposal is the fixture's bytes; Alice accepts it and commits it.
  ds.tamper = (to, msg) => (msg.type === 'mls_proposal' ? { ...msg, proposal: base64UrlEncode(fromHex(fixture.proposal)) } : msg);
  await ds.leave(bob.id);
  await ds.settle();
  assert.deepEqual(ds.events(alice.id, MlsEvent.REFUSED), []);
  assert.equal(alice.member.epoch, BigInt(fixture.epoch) + 1n);
  assert.deepEqual(alice.member.roster().map((m) => m.identity), ['alice']);
  assert.deepEqual(ds.accepted.at(-1).from, alice.id);
});

test('a joiner cannot derive the frame key of the epoch before it joined', async () => {
  const { ds, clients } = await room(MlsSuite.X25519, ['alice', 'bob']);
  const [alice] = clients;
  const before = await alice.member.frameBaseKey();
  const oldFrame = await frameFrom(alice, FrameContext.AUDIO);
  await alice.member.sendChat('before carol');
  const oldChat = alice.member.pollTransmit();  // held back: delivered to Carol after she joins
  const carol = await join(ds, 'carol');
  const now = await carol.member.frameBaseKey();
  assert.equal(now.epoch, before.epoch + 1n);
  assert.notEqual(hex(now.baseKey), hex(before.baseKey));
  await assert.rejects(openWith(now.baseKey, oldFrame), SframeAuthError);
  assert.equal(carol.member.state.historicalReceiverData.size, 0);  // nothing of earlier epochs came with the Welcome
  ds.inject(carol.id, { v: 2, type: 'mls_app', from: alice.id, message: oldChat.message });
  await ds.settle();
  assert.deepEqual(ds.events(carol.id, MlsEvent.CHAT), []);
  assert.deepEqual(ds.events(carol.id, MlsEvent.REFUSED).map((e) => e.reason), ['old_epoch']);
});

test('chat: round trip with the authenticated sender; a removed member\'s message from its old epoch is refused', async () => {
  const { ds, clients } = await room(MlsSuite.X25519, ['alice', 'bob', 'carol']);
  const [alice, bob, carol] = clients;
  await alice.member.sendChat('héllo 👋 <b>not html</b>');
  await ds.settle();
  for (const c of [bob, carol]) {
    const [chat] = ds.events(c.id, MlsEvent.CHAT);
    assert.equal(chat.text, 'héllo 👋 <b>not html</b>');
    assert.equal(chat.identity, 'alice');
    assert.equal(chat.name, 'Alice');
    assert.equal(chat.participantId, alice.id);
    assert.equal(chat.leaf, 0);
  }
  await assert.rejects(alice.member.sendChat('x'.repeat(4001)), { code: 'bad_chat' });

  await ds.leave(carol.id);
  await ds.settle();
  // Carol, removed, still holds epoch 2 and writes in it; the server relays it anyway (a malicious one would).
  await carol.member.sendChat('I am still here');
  const late = carol.member.pollTransmit();
  assert.equal(late.epoch, 2);
  ds.inject(alice.id, { v: 2, type: 'mls_app', from: carol.id, message: late.message });
  // And a tampered message in the current epoch fails authentication.
  await bob.member.sendChat('ok');
  const good = bob.member.pollTransmit();
  const bytes = base64UrlDecode(good.message);
  bytes[bytes.length - 1] ^= 1;
  ds.inject(alice.id, { v: 2, type: 'mls_app', from: bob.id, message: base64UrlEncode(bytes) });
  ds.inject(alice.id, { v: 2, type: 'mls_app', from: bob.id, message: good.message });
  await ds.settle();
  assert.deepEqual(ds.events(alice.id, MlsEvent.CHAT).map((e) => e.text), ['ok']);
  assert.deepEqual(ds.events(alice.id, MlsEvent.REFUSED).map((e) => e.reason), ['old_epoch', 'undecryptable']);
});

test('a rejoin with the same identity and key: the old leaf is removed, the new session added, and the pairwise code is unchanged', async () => {
  const { ds, clients } = await room(MlsSuite.X25519, ['alice', 'bob', 'carol']);
  const [alice, bob] = clients;
  const bobKey = await generateSignatureKeyPair();
  const bob2Member = await MlsMember.create({ identity: 'bob', name: 'Bob', signatureKeyPair: bobKey, suite: MlsSuite.X25519 });
  const code = await alice.member.pairwiseCodeWith(1);
  // Bob's first session used another key; make the rejoin use a persistent one from now on.
  await ds.leave(bob.id);
  // The new session arrives before the old leaf's Remove was committed.
  const bob2 = await ds.join({ identity: 'bob', name: 'Bob', member: bob2Member });
  await ds.settle();
  const all = [...ds.clients.values()];
  await assertAgreed(all);
  assert.equal(bob2.member.phase, 'member');
  const bobLeaf = bob2.member.leaf;
  const codeAfter = await alice.member.pairwiseCodeWith(bobLeaf);
  assert.notEqual(codeAfter, code);  // a different key than the first session's: a different code
  // A third session with the same persistent key keeps the code.
  await ds.leave(bob2.id);
  const bob3 = await ds.join({ identity: 'bob', name: 'Bob', member: await MlsMember.create({ identity: 'bob', name: 'Bob', signatureKeyPair: bobKey, suite: MlsSuite.X25519 }) });
  await ds.settle();
  await assertAgreed([...ds.clients.values()]);
  assert.equal(await alice.member.pairwiseCodeWith(bob3.member.leaf), codeAfter);
  assert.equal(await bob3.member.pairwiseCodeWith(alice.member.leaf), codeAfter);
  for (const c of ds.clients.values()) assert.deepEqual(ds.events(c.id, MlsEvent.FAILED), []);
});

test('the group ends while a joiner waits for its Welcome: it gets mls_group, creates the next group, and the next joiner enters it', async () => {
  const ds = new DeliveryService({ suite: MlsSuite.X25519, server });
  const alice = await join(ds, 'alice');
  const firstGroup = hex(ds.group.groupId);
  // Bob joins and Alice leaves before anyone committed him.
  const bob = await ds.join({ identity: 'bob', name: 'Bob', signatureKeyPair: await generateSignatureKeyPair() });
  await ds.leave(alice.id);
  await ds.settle();
  assert.equal(bob.member.phase, 'member');
  assert.equal(bob.member.epoch, 0n);
  assert.equal(bob.member.leaf, 0);
  assert.equal(hex(bob.member.groupId), hex(ds.group.groupId));
  assert.notEqual(hex(ds.group.groupId), firstGroup);
  const carol = await join(ds, 'carol');
  await assertAgreed([bob, carol]);
});

// ------------------------------------------------------------ validation of others' commits

// A member whose key is raw bytes, so the test can forge commits from its
// state with ts-mls directly (a member that does not run our code).
async function rogueRoom() {
  const ds = new DeliveryService({ suite: MlsSuite.X25519, server });
  const cs = await loadSuite(MlsSuite.X25519);
  const raw = await cs.signature.keygen();
  const alice = await ds.join({ identity: 'alice', name: 'Alice', signatureKeyPair: { publicKey: raw.publicKey, privateKey: raw.signKey } });
  await ds.settle();
  const bob = await join(ds, 'bob');
  const carol = await join(ds, 'carol');
  return { ds, cs, alice, bob, carol };
}

async function forge(ds, cs, from, proposals) {
  const r = await tsmls.createCommit({ state: from.member.state, cipherSuite: cs }, { extraProposals: proposals });
  return { v: 2, type: 'mls_commit', from: from.id, epoch: ds.group.epoch, commit: base64UrlEncode(tsmls.encodeMlsMessage(r.commit)) };
}

test('validation: a commit adding a KeyPackage the server never announced is refused', async () => {
  const { ds, cs, alice, carol } = await rogueRoom();
  const mallory = await tsmls.generateKeyPackageWithKey({ credentialType: 'basic', identity: encodeCredential('mallory', 'Mallory') },
    tsmls.defaultCapabilities(), tsmls.defaultLifetime, [], await cs.signature.keygen(), cs);
  ds.inject(carol.id, await forge(ds, cs, alice, [{ proposalType: 'add', add: { keyPackage: mallory.publicPackage } }]));
  await ds.settle();
  assert.deepEqual(ds.events(carol.id, MlsEvent.FAILED).map((e) => [e.reason, e.detail]), [['commit_refused', 'add_unannounced']]);
  assert.equal(carol.member.phase, 'failed');
  assert.equal(await carol.member.frameBaseKey(), null);
});

test('validation: members never commit a server Remove of a present participant, and refuse a commit that does', async () => {
  const { ds, cs, alice, bob, carol } = await rogueRoom();
  const epoch = ds.group.epoch;
  const proposal = await signRemove(server, { groupId: ds.group.groupId, epoch, leaf: bob.member.leaf, suiteName: ds.suiteName });
  for (const c of [alice, bob, carol]) ds.inject(c.id, { v: 2, type: 'mls_proposal', epoch, proposal: base64UrlEncode(proposal) });
  await ds.settle();
  assert.equal(ds.accepted.length, 2);  // nobody committed it: Bob is in the call
  assert.equal(alice.member.epoch, BigInt(epoch));
  // A member that does commit it (by reference, as the proposal came) is refused.
  assert.equal(Object.keys(alice.member.state.unappliedProposals).length, 1);
  ds.inject(carol.id, await forge(ds, cs, alice, []));
  await ds.settle();
  assert.deepEqual(ds.events(carol.id, MlsEvent.FAILED).map((e) => e.detail), ['remove_present']);
});

test('validation: a member removing another by its own proposal is refused', async () => {
  const { ds, cs, alice, bob, carol } = await rogueRoom();
  ds.inject(carol.id, await forge(ds, cs, alice, [{ proposalType: 'remove', remove: { removed: bob.member.leaf } }]));
  await ds.settle();
  assert.deepEqual(ds.events(carol.id, MlsEvent.FAILED).map((e) => e.detail), ['member_remove']);
});

test('a Welcome from a group without the server as external sender, or with another one, is refused; the joiner keeps waiting', async () => {
  const ds = new DeliveryService({ suite: MlsSuite.X25519, server });
  const alice = await join(ds, 'alice');
  // The server holds back Alice's Welcome for Bob and sends Welcomes of
  // groups it made itself, with the same group id.
  ds.tamper = (to, msg) => {
    if (msg.type !== 'mls_welcome') return msg;
    ds.heldBack = msg;
    return null;
  };
  const bob = await join(ds, 'bob');
  assert.ok(ds.heldBack);
  ds.tamper = null;
  const cs = await loadSuite(MlsSuite.X25519);
  const bobKp = tsmls.decodeMlsMessage(base64UrlDecode(bob.keyPackage), 0)[0].keyPackage;
  const impostor = await makeServerSender();
  for (const extensions of [[], [{ extensionType: 'external_senders', extensionData: impostor.externalSender }]]) {
    const owner = await tsmls.generateKeyPackageWithKey({ credentialType: 'basic', identity: encodeCredential('alice', 'Alice') },
      tsmls.defaultCapabilities(), tsmls.defaultLifetime, [], await cs.signature.keygen(), cs);
    const state = await tsmls.createGroup(ds.group.groupId, owner.publicPackage, owner.privatePackage, extensions, cs);
    const r = await tsmls.createCommit({ state, cipherSuite: cs },
      { extraProposals: [{ proposalType: 'add', add: { keyPackage: bobKp } }], ratchetTreeExtension: true });
    const welcome = base64UrlEncode(tsmls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome }));
    ds.inject(bob.id, { ...ds.heldBack, welcome });
  }
  await ds.settle();
  // Both fail the member's check that the group's only external sender is
  // exactly the one the server announced in joined.mls.
  assert.deepEqual(ds.events(bob.id, MlsEvent.REFUSED).map((e) => [e.what, e.reason]),
    [['welcome', 'external_sender'], ['welcome', 'external_sender']]);
  assert.equal(bob.member.phase, 'waiting');
  assert.equal(bob.member.roomCode(), null);
  // The genuine Welcome still works afterwards.
  ds.inject(bob.id, ds.heldBack);
  await ds.settle();
  await assertAgreed([alice, bob]);
});
