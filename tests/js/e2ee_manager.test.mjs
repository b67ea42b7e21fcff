// The E2EE manager (web/sdk/e2ee_manager.js) between the in-test Delivery
// Service (mls_ds.mjs, protocol.md §7) and a recording stand-in for the
// frame worker: what reaches the worker and when, the leaf map, chat,
// verification marks, and the status rules (docs/e2ee.md §4-§6).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { DeliveryService, makeServerSender } from './mls_ds.mjs';

const { E2eeManager, SWITCH_DELAY_MS, evaluateStatus, tokenIdentity } = await import('../../web/sdk/e2ee_manager.js');
const { MlsMember, PROTOCOL_VERSION } = await import('../../web/sdk/e2ee_mls_member.js');
const { MlsSuite } = await import('../../web/sdk/e2ee_mls.js');
const { generateSignatureKeyPair } = await import('../../web/sdk/e2ee_identity_store.js');
const { VerifiedKeys } = await import('../../web/sdk/e2ee_verified.js');

// Timers on the Delivery Service's clock; intervals never fire (the status
// is evaluated by the tests themselves).
class FakeTimers {
  time = 0;
  now() { return this.time; }
  #next = 1;
  #timers = new Map();
  setTimeout(fn, ms) { const id = this.#next++; this.#timers.set(id, { at: this.time + Math.max(0, ms), fn }); return id; }
  clearTimeout(id) { this.#timers.delete(id); }
  setInterval() { return this.#next++; }
  clearInterval() {}
  nextAt() { return this.#timers.size ? Math.min(...[...this.#timers.values()].map((t) => t.at)) : null; }
  runDue(now) {
    this.time = now;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= now).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) return;
      this.#timers.delete(due[0]);
      due[1].fn();
    }
  }
}

class RecordingTransforms {
  log = [];            // [{ at, op, ... }]
  leaves = new Map();  // participant id -> leaf
  sendEpoch_ = null;
  constructor(timers) { this.timers = timers; }
  installEpoch(epoch, baseKey) { this.log.push({ at: this.timers.time, op: 'install', epoch, key: Buffer.from(baseKey).toString('hex') }); }
  sendEpoch(epoch, leaf) { this.sendEpoch_ = epoch; this.log.push({ at: this.timers.time, op: 'send', epoch, leaf }); }
  setLeaf(id, leaf) { if (leaf === null) this.leaves.delete(id); else this.leaves.set(id, leaf); }
  async report() { return { transforms: [], epochs: [], sendEpoch: this.sendEpoch_ }; }
}

// What the DS drives: the manager with its member, as the SDK runs it.
class ManagedClient {
  constructor({ member, verified }) {
    this.member = member;
    this.timers = new FakeTimers();
    this.transforms = new RecordingTransforms(this.timers);
    this.outbox = [];
    this.emitted = [];
    this.manager = new E2eeManager({
      member, transforms: this.transforms, verified, timers: this.timers,
      // As aegis.js sends: the member's fields under the socket's own "v".
      send: ({ v, ...fields }) => this.outbox.push({ v: PROTOCOL_VERSION, ...fields }),
      emit: (type, fields) => this.emitted.push({ type, ...fields }),
    });
    this.started = false;
  }
  get keyPackageBlob() { return this.member.keyPackageBlob; }
  async handleInput(msg, now) {
    this.timers.time = now;
    if (msg.type === 'joined' && !this.started) {
      this.started = true;
      await this.manager.start(msg);
    } else {
      await this.manager.handleServerMessage(msg);
    }
    await this.manager.settled();
  }
  async handleTimeout(now) {
    this.timers.runDue(now);
    await this.manager.settled();
  }
  nextTimeout() { return this.timers.nextAt(); }
  pollTransmit() { return this.outbox.shift(); }
  pollEvent() { return undefined; }
  events(type) { return this.emitted.filter((e) => e.type === type); }
}

async function client(ds, id, identity, { verified = new VerifiedKeys({ storage: null }), keyPair } = {}) {
  const member = await MlsMember.create({ identity, name: identity.toUpperCase(), signatureKeyPair: keyPair ?? await generateSignatureKeyPair(), suite: ds.suite });
  const c = new ManagedClient({ member, verified });
  await ds.join({ id, identity, name: identity.toUpperCase(), member: c });
  return c;
}

test('three members: one room code; each epoch decrypts at once and encrypts 250 ms later (at once for the first); leaves map to participants', async () => {
  const ds = new DeliveryService({ suite: MlsSuite.X25519, server: await makeServerSender() });
  const a = await client(ds, 'pa', 'alice');
  await ds.settle();
  const b = await client(ds, 'pb', 'bob');
  await ds.settle();
  const c = await client(ds, 'pc', 'carol');
  await ds.settle();
  const codes = [a, b, c].map((x) => x.manager.roomCode);
  assert.ok(/^(\d{5} ){5}\d{5}$/.test(codes[0]));
  assert.deepEqual(new Set(codes).size, 1);
  assert.equal(a.manager.epoch, 2);

  // Alice: epoch 0 sent at once; epochs 1 and 2 installed, then sent 250 ms later.
  const installs = a.transforms.log.filter((l) => l.op === 'install');
  const sends = a.transforms.log.filter((l) => l.op === 'send');
  assert.deepEqual(installs.map((l) => l.epoch), [0, 1, 2]);
  assert.deepEqual(sends.map((l) => l.epoch), [0, 1, 2]);
  assert.equal(sends[0].at, installs[0].at);
  for (const e of [1, 2]) assert.equal(sends[e].at - installs[e].at, SWITCH_DELAY_MS);
  // Carol joined at epoch 2: that is her first epoch, sent at once; she never saw 0 or 1.
  assert.deepEqual(c.transforms.log.map((l) => `${l.op}${l.epoch}`), ['install2', 'send2']);
  // Everyone installed the same base key for epoch 2.
  assert.equal(new Set([a, b, c].map((x) => x.transforms.log.find((l) => l.op === 'install' && l.epoch === 2).key)).size, 1);
  // The worker learns who sits at which leaf.
  const leafOf = (x) => x.manager.roster().members.find((m) => m.self).leaf;
  assert.deepEqual(Object.fromEntries(a.transforms.leaves), { pb: leafOf(b), pc: leafOf(c) });

  await ds.leave('pc');
  await ds.settle();
  assert.equal(a.manager.epoch, 3);
  assert.equal(a.transforms.leaves.has('pc'), false);
  assert.notEqual(a.manager.roomCode, codes[0]);
  assert.equal(a.manager.roomCode, b.manager.roomCode);
  assert.equal(a.transforms.sendEpoch_, 3);
});

test('chat goes through the manager; the roster tells who is verified, and a changed key for a verified identity is reported', async () => {
  const ds = new DeliveryService({ suite: MlsSuite.X25519, server: await makeServerSender() });
  const aliceVerified = new VerifiedKeys({ storage: null });
  const a = await client(ds, 'pa', 'alice', { verified: aliceVerified });
  const bobKey = await generateSignatureKeyPair();
  const b = await client(ds, 'pb', 'bob', { keyPair: bobKey });
  await ds.settle();

  await b.manager.sendChat('hi alice');
  await ds.settle();
  assert.deepEqual(a.events('chatmessage').map((e) => [e.participantId, e.identity, e.text]), [['pb', 'bob', 'hi alice']]);

  let bobEntry = a.manager.roster().members.find((m) => m.identity === 'bob');
  assert.equal(bobEntry.verified, false);
  assert.equal(await a.manager.pairwiseCode('pb'), await b.manager.pairwiseCode('pa'));
  a.manager.markVerified('pb');
  bobEntry = a.manager.roster().members.find((m) => m.identity === 'bob');
  assert.equal(bobEntry.verified, true);
  assert.equal(bobEntry.keyChanged, false);

  // Bob comes back from another browser: same identity, new signature key.
  await ds.leave('pb');
  await ds.settle();
  await client(ds, 'pb2', 'bob');
  await ds.settle();
  bobEntry = a.manager.roster().members.find((m) => m.identity === 'bob');
  assert.equal(bobEntry.participantId, 'pb2');
  assert.equal(bobEntry.verified, false);
  assert.equal(bobEntry.keyChanged, true);
  assert.deepEqual(a.events('e2eeerror').filter((e) => e.code === 'identity_key_changed').map((e) => e.participantId), ['pb2']);

  // Back with the verified key: verified again, no warning.
  await ds.leave('pb2');
  await ds.settle();
  await client(ds, 'pb3', 'bob', { keyPair: bobKey });
  await ds.settle();
  bobEntry = a.manager.roster().members.find((m) => m.identity === 'bob');
  assert.equal(bobEntry.verified, true);
  assert.equal(bobEntry.keyChanged, false);
});

test('tokenIdentity reads sub and name from the token payload', () => {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  assert.deepEqual(tokenIdentity(`${b64({ alg: 'HS256' })}.${b64({ sub: 'ada', name: 'Ada L' })}.sig`), { identity: 'ada', name: 'Ada L' });
  assert.deepEqual(tokenIdentity(`${b64({})}.${b64({ sub: 'x' })}.s`), { identity: 'x', name: '' });
  assert.throws(() => tokenIdentity('not-a-jwt'));
  assert.throws(() => tokenIdentity(`${b64({})}.${b64({ name: 'no sub' })}.s`));
});

test('status: encrypted only when everyone is in the group and every playing track decrypts under the current epoch', () => {
  const participants = new Map([['pb', { id: 'pb', identity: 'bob', name: 'Bob' }]]);
  const roster = { members: [{ participantId: 'pa', self: true }, { participantId: 'pb', identity: 'bob', name: 'Bob' }], unencrypted: [] };
  const epoch = { epoch: 5, installedAt: 0 };
  const track = (decrypted, failed, lastEpoch) => ({ id: 1, role: 'decrypt', participantId: 'pb', kind: 'video', decrypted, failed, lastEpoch, reasons: {} });
  const base = { phase: 'member', roster, participants, epoch, sendEpoch: 5, now: 5000 };
  const previous = { transforms: [track(10, 0, 5)] };
  assert.equal(evaluateStatus({ ...base, previous, report: { transforms: [track(40, 0, 5)] } }).encrypted, true);
  // Bob's track still under epoch 4 long after epoch 5 arrived.
  assert.match(evaluateStatus({ ...base, previous, report: { transforms: [track(40, 0, 4)] } }).reason, /Bob's video is still under epoch 4/);
  // ... tolerated within 1 s of the new epoch.
  assert.equal(evaluateStatus({ ...base, now: 500, previous, report: { transforms: [track(40, 0, 4)] } }).encrypted, true);
  // Only failures.
  assert.match(evaluateStatus({ ...base, previous, report: { transforms: [track(10, 7, 5)] } }).reason, /does not decrypt/);
  // Someone in the call who is not in the group.
  const outside = { ...roster, unencrypted: ['pb'] };
  assert.match(evaluateStatus({ ...base, roster: outside, previous, report: { transforms: [track(40, 0, 5)] } }).reason, /Bob is not in the encrypted group/);
  // A group member nobody sees in the call.
  const ghost = { ...roster, members: [...roster.members, { participantId: null, identity: 'mallory', name: 'M', leaf: 7 }] };
  assert.match(evaluateStatus({ ...base, roster: ghost, previous, report: { transforms: [track(40, 0, 5)] } }).reason, /not in the call \(M\)/);
  // Not yet sending, not in the group, nothing playing.
  assert.equal(evaluateStatus({ ...base, sendEpoch: null, previous, report: { transforms: [track(40, 0, 5)] } }).encrypted, false);
  assert.equal(evaluateStatus({ ...base, phase: 'waiting', previous, report: { transforms: [] } }).encrypted, false);
  assert.match(evaluateStatus({ ...base, previous, report: { transforms: [track(10, 0, 5)] } }).reason, /no media/);
});
