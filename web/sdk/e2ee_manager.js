// The E2EE manager of one participant (docs/e2ee.md §4): runs the MLS member
// (e2ee_mls_member.js, sans-IO) on the room's signaling, hands each epoch's
// frame key to the SFrame worker (e2ee_transforms.js), and keeps what the
// app shows: the room code, the roster with verification marks, the honest
// "encrypted" status, and the chat.
//
//   const prepared = await E2eeManager.prepare({ token, suite });   // before `join`
//   join: { ..., e2ee: true, key_package: prepared.member.keyPackageBlob }
//   const manager = new E2eeManager({ ...prepared, transforms, send, emit });
//   manager.start(joinedMessage);           // then every later server message:
//   manager.handleServerMessage(msg);
//
// Epoch switch: a new epoch's key decrypts at once; this participant
// encrypts with it SWITCH_DELAY_MS later (the others need that long to
// process the same commit), except for its first epoch. So every member
// sends under the new epoch within SWITCH_DELAY_MS + one signaling hop of
// the commit, far inside the 1 s bound, and a removed member's keys stop
// opening anything new as soon as the others switch.

import { base64UrlDecode, toHex } from './e2ee_identity.js';
import { isScreenContext } from './e2ee_mls_keys.js';
import { IdentityStore, loadOrCreateSignatureKeyPair } from './e2ee_identity_store.js';
import { MlsEvent, MlsMember } from './e2ee_mls_member.js';
import { VerifiedKeys } from './e2ee_verified.js';

export const SWITCH_DELAY_MS = 250;
export const STATUS_INTERVAL_MS = 1000;
// A newer epoch less than this old may still carry the previous epoch's
// frames (senders switch SWITCH_DELAY_MS after the commit).
const kSwitchToleranceMs = 1000;
// The server messages the MLS member reads.
const kMemberInputs = new Set([
  'participant_joined', 'participant_left', 'mls_group', 'mls_commit', 'mls_welcome', 'mls_proposal', 'mls_app', 'error',
]);


// The token's `sub` and `name` (the server checks the KeyPackage's
// credential against them; nothing here trusts them for anything else).
export function tokenIdentity(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) throw new TypeError('the token is not a JWT');
  const claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(parts[1])));
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new TypeError('the token has no sub');
  return { identity: claims.sub, name: typeof claims.name === 'string' ? claims.name : '' };
}

export class E2eeManager {
  #member;
  #transforms;
  #send;
  #emit;
  #timers;
  #verified;
  #testHooks;
  #signatureKey;
  #selfId = null;
  #participants = new Map();  // id -> { id, identity, name }
  #leaves = new Map();        // participant id -> leaf posted to the worker
  #epoch = null;              // { epoch (number), leaf, installedAt, roomCode }
  #sendEpoch = null;
  #switchTimer = null;
  #memberTimer = null;
  #statusTimer = null;
  #status = { encrypted: false, reason: 'joining the encrypted group' };
  #lastReport = null;
  #warned = new Set();        // identities whose changed key was reported
  #chain = Promise.resolve();
  #closed = false;
  #counters = { refused: {}, commitsRefused: 0, chatReceived: 0, chatSent: 0 };

  // The persistent signature key of the token's identity and an MLS member
  // with a fresh KeyPackage for it. store: an IdentityStore (IndexedDB in a
  // browser, memory in Node).
  static async prepare({ token, suite, store = null, allocateRequestId }) {
    const { identity, name } = tokenIdentity(token);
    const identityStore = store ?? await IdentityStore.open();
    const signatureKeyPair = await loadOrCreateSignatureKeyPair(identityStore, identity);
    const member = await MlsMember.create({ identity, name, signatureKeyPair, suite, allocateRequestId });
    return { member, persistentIdentity: identityStore.persistent, signatureKey: signatureKeyPair.publicKey };
  }

  // send(message): puts a client message on the socket. emit(type, fields):
  // events for the app (see aegis.js). timers: for tests.
  constructor({ member, transforms, send, emit = () => {}, verified = new VerifiedKeys(), timers = globalThis, testHooks = false,
                signatureKey = null }) {
    this.#member = member;
    this.#signatureKey = signatureKey;
    this.#transforms = transforms;
    this.#send = send;
    this.#emit = emit;
    this.#verified = verified;
    this.#testHooks = testHooks;
    this.#timers = {
      setTimeout: timers.setTimeout.bind(timers), clearTimeout: timers.clearTimeout.bind(timers),
      setInterval: timers.setInterval.bind(timers), clearInterval: timers.clearInterval.bind(timers),
      now: timers.now ? timers.now.bind(timers) : () => performance.now(),
    };
  }

  start(joined) {
    this.#selfId = joined.participant_id;
    for (const p of joined.participants ?? []) this.#noteParticipant(p);
    this.#statusTimer = this.#timers.setInterval(() => this.#refreshStatus(), STATUS_INTERVAL_MS);
    return this.#feed(joined);
  }

  handleServerMessage(msg) {
    if (this.#closed || !kMemberInputs.has(msg?.type)) return this.#chain;
    if (msg.type === 'participant_joined') this.#noteParticipant(msg.participant);
    if (msg.type === 'participant_left') {
      this.#participants.delete(msg.participant_id);
      this.#postLeaf(msg.participant_id, null);
    }
    return this.#feed(msg);
  }

  // Waits until every message received so far has been handled.
  settled() { return this.#chain; }

  close() {
    this.#closed = true;
    this.#timers.clearTimeout(this.#switchTimer);
    this.#timers.clearTimeout(this.#memberTimer);
    this.#timers.clearInterval(this.#statusTimer);
  }

  get status() { return { ...this.#status }; }
  get roomCode() { return this.#epoch?.roomCode ?? null; }
  get epoch() { return this.#epoch?.epoch ?? null; }
  get counters() { return structuredClone(this.#counters); }

  // Who is in the group, as the app lists it: [{ participantId (null: in the
  // group but not in the call), identity, name, leaf, self, verified,
  // keyChanged }] and the participants in the call but not in the group.
  roster() {
    const members = this.#member.roster().map((m) => {
      const p = [...this.#participants.values()].find((x) => x.identity === m.identity);
      const self = m.leaf === this.#member.leaf;
      const mark = self ? 'self' : this.#verified.check(m.identity, m.signatureKey);
      return {
        participantId: self ? this.#selfId : p?.id ?? null, identity: m.identity, name: m.name, leaf: m.leaf, self,
        verified: mark === 'verified', keyChanged: mark === 'changed',
      };
    });
    const check = this.#member.rosterCheck();
    return { members, unencrypted: check.unencrypted.map((p) => p.id).filter((id) => id !== this.#selfId) };
  }

  // The 30-digit code this participant and `participantId` compare once;
  // equal codes mean each holds the other's real signature key.
  async pairwiseCode(participantId) {
    const m = this.roster().members.find((x) => x.participantId === participantId && !x.self);
    if (!m) throw new Error('that participant is not in the encrypted group');
    return this.#member.pairwiseCodeWith(m.leaf);
  }

  // Remembers the participant's current signature key as verified (after the
  // people compared their pairwise code); kept across calls.
  markVerified(participantId) {
    const m = this.#member.roster().find((x) => x.identity === this.#participants.get(participantId)?.identity);
    if (!m) throw new Error('that participant is not in the encrypted group');
    this.#verified.set(m.identity, m.signatureKey);
    this.#warned.delete(m.identity);
    this.#emit('rosterchange', this.roster());
  }

  async sendChat(text) {
    await this.#chain;
    await this.#member.sendChat(text);
    this.#counters.chatSent++;
    this.#pump();
  }

  // Per participant id: what the worker counted for its tracks; under the
  // own id what was sent. tracks: one entry per sender or receiver, with its
  // own counters and its KID context (screen: a screen share's).
  async stats() {
    const report = await this.#transforms.report();
    const out = {};
    for (const t of report.transforms) {
      const id = t.role === 'encrypt' ? this.#selfId : t.participantId;
      if (!id) continue;
      const s = out[id] ??= { encryptedFrames: 0, decryptedFrames: 0, failedFrames: 0, unknownKidFrames: 0, kids: [], epochs: [], tracks: [] };
      s.encryptedFrames += t.encrypted;
      s.decryptedFrames += t.decrypted;
      s.failedFrames += t.failed;
      s.unknownKidFrames += t.unknownKid;
      for (const k of t.kids) if (!s.kids.includes(k)) s.kids.push(k);
      if (t.lastEpoch !== null && !s.epochs.includes(t.lastEpoch)) s.epochs.push(t.lastEpoch);
      s.tracks.push({
        kind: t.kind, role: t.role, lastKid: t.lastKid, lastEpoch: t.lastEpoch, reasons: t.reasons,
        encrypted: t.encrypted, decrypted: t.decrypted, failed: t.failed,
        context: t.context ?? null, screen: isScreenContext(t.context),
      });
    }
    return out;
  }

  // Test hooks only: the current epoch's frame base key (hex), so a test can
  // decrypt what the server captured and show the server could not; and the
  // own signature public key (not secret), for codes computed outside.
  async exportKeyStateForTesting() {
    if (!this.#testHooks) throw new Error('test hooks are off');
    const k = await this.#member.frameBaseKey();
    return {
      epoch: k === null ? null : Number(k.epoch), leaf: this.#member.leaf, baseKey: k === null ? null : toHex(k.baseKey),
      signatureKey: this.#signatureKey ? toHex(this.#signatureKey) : null, phase: this.#member.phase,
    };
  }

  // ------------------------------------------------------------ internals

  #noteParticipant(p) {
    if (p && typeof p.id === 'string') this.#participants.set(p.id, { id: p.id, identity: p.identity ?? null, name: p.name ?? '' });
  }

  #feed(msg) {
    this.#chain = this.#chain
      .then(() => this.#member.handleInput(msg, this.#timers.now()))
      .then(() => this.#pump(), (e) => this.#emit('e2eeerror', { code: 'internal', message: String(e?.message ?? e) }));
    return this.#chain;
  }

  // Sends what the member wants sent, acts on its events, arms its timer.
  #pump() {
    if (this.#closed) return;
    for (let m = this.#member.pollTransmit(); m; m = this.#member.pollTransmit()) this.#send(m);
    for (let e = this.#member.pollEvent(); e; e = this.#member.pollEvent()) this.#onEvent(e);
    this.#timers.clearTimeout(this.#memberTimer);
    const due = this.#member.nextTimeout();
    if (due !== null) {
      this.#memberTimer = this.#timers.setTimeout(() => {
        this.#chain = this.#chain.then(() => this.#member.handleTimeout(this.#timers.now())).then(() => this.#pump());
      }, Math.max(0, due - this.#timers.now()));
    }
  }

  #onEvent(e) {
    switch (e.type) {
      case MlsEvent.EPOCH: return this.#onEpoch(e);
      case MlsEvent.CHAT: {
        this.#counters.chatReceived++;
        return this.#emit('chatmessage', {
          participantId: e.participantId, identity: e.identity, name: e.name, text: e.text, epoch: Number(e.epoch),
        });
      }
      case MlsEvent.REFUSED:
        this.#counters.refused[e.what] = (this.#counters.refused[e.what] ?? 0) + 1;
        return this.#emit('e2eeerror', { code: 'refused', what: e.what, message: `refused a ${e.what}: ${e.reason}` });
      case MlsEvent.COMMIT_REFUSED:
        this.#counters.commitsRefused++;
        return undefined;
      case MlsEvent.REMOVED:
      case MlsEvent.FAILED: {
        const reason = e.type === MlsEvent.REMOVED ? 'removed from the encrypted group' : `cannot follow the encrypted group (${e.reason})`;
        this.#setStatus({ encrypted: false, reason });
        return this.#emit('e2eeerror', { code: e.type, message: reason });
      }
      default:
        return undefined;
    }
  }

  #onEpoch({ epoch, leaf, baseKey, roomCode }) {
    const n = Number(epoch);
    this.#transforms.installEpoch(n, baseKey);
    baseKey.fill(0);
    const first = this.#epoch === null;
    this.#epoch = { epoch: n, leaf, installedAt: this.#timers.now(), roomCode };
    this.#timers.clearTimeout(this.#switchTimer);
    const switchNow = () => {
      if (this.#epoch?.epoch !== n || this.#closed) return;
      this.#transforms.sendEpoch(n, leaf);
      this.#sendEpoch = n;
    };
    if (first) switchNow();
    else this.#switchTimer = this.#timers.setTimeout(switchNow, SWITCH_DELAY_MS);
    this.#updateLeaves();
    this.#emit('roomcodechange', { code: roomCode, epoch: n });
    const roster = this.roster();
    for (const m of roster.members) {
      if (m.keyChanged && !this.#warned.has(m.identity)) {
        this.#warned.add(m.identity);
        this.#emit('e2eeerror', {
          code: 'identity_key_changed', participantId: m.participantId,
          message: `${m.name || m.identity}'s identity key is not the one you verified`,
        });
      }
    }
    this.#emit('rosterchange', roster);
    this.#refreshStatus();
  }

  // Which leaf the worker expects each participant's frames to carry: the
  // leaf whose credential is that participant's identity, if exactly one.
  #updateLeaves() {
    const byIdentity = new Map();
    for (const m of this.#member.roster()) {
      if (m.identity === null) continue;
      byIdentity.set(m.identity, byIdentity.has(m.identity) ? null : m.leaf);
    }
    for (const p of this.#participants.values()) this.#postLeaf(p.id, byIdentity.get(p.identity) ?? null);
  }

  #postLeaf(participantId, leaf) {
    if ((this.#leaves.get(participantId) ?? null) === leaf) return;
    if (leaf === null) this.#leaves.delete(participantId);
    else this.#leaves.set(participantId, leaf);
    this.#transforms.setLeaf(participantId, leaf);
  }

  async #refreshStatus() {
    if (this.#closed) return;
    let report;
    try {
      report = await this.#transforms.report();
    } catch {
      return;
    }
    this.#setStatus(evaluateStatus({
      phase: this.#member.phase, roster: this.roster(), participants: this.#participants, epoch: this.#epoch,
      sendEpoch: this.#sendEpoch, previous: this.#lastReport, report, now: this.#timers.now(),
    }));
    this.#lastReport = report;
  }

  #setStatus(status) {
    if (status.encrypted === this.#status.encrypted && status.reason === this.#status.reason) return;
    this.#status = status;
    this.#emit('e2eestatus', { ...status });
  }
}

// The honest status (docs/e2ee.md §6). Encrypted only when this participant
// is in the group and sending under its epoch, everyone in the call is in
// the group and nobody else is, and every track that is playing decrypts
// under a live epoch from the participant the track belongs to.
export function evaluateStatus({ phase, roster, participants, epoch, sendEpoch, previous, report, now }) {
  const no = (reason) => ({ encrypted: false, reason });
  if (phase === 'removed') return no('removed from the encrypted group');
  if (phase === 'failed') return no('cannot follow the encrypted group');
  if (phase !== 'member' || epoch === null) return no('joining the encrypted group');
  if (report.workerError) return no(`the encryption worker failed: ${report.workerError}`);
  if (sendEpoch === null) return no('not sending under the group key yet');
  const nameOf = (id) => participants.get(id)?.name || participants.get(id)?.identity || id;
  if (roster.unencrypted.length) return no(`${nameOf(roster.unencrypted[0])} is not in the encrypted group`);
  const ghost = roster.members.find((m) => m.participantId === null);
  if (ghost) return no(`the group has a member who is not in the call (${ghost.name || ghost.identity || `leaf ${ghost.leaf}`})`);
  const before = new Map((previous?.transforms ?? []).map((t) => [t.id, t]));
  let playing = 0;
  for (const t of report.transforms) {
    if (t.role !== 'decrypt' || !t.participantId) continue;
    const p = before.get(t.id);
    const decrypted = t.decrypted - (p?.decrypted ?? 0);
    const failed = t.failed - (p?.failed ?? 0);
    if (decrypted + failed === 0) continue;
    playing++;
    if (decrypted === 0) return no(`${nameOf(t.participantId)}'s ${t.kind} does not decrypt (${Object.keys(t.reasons).join(', ') || 'no key'})`);
    const recentSwitch = now - epoch.installedAt < kSwitchToleranceMs;
    if (t.lastEpoch !== epoch.epoch && !recentSwitch) return no(`${nameOf(t.participantId)}'s ${t.kind} is still under epoch ${t.lastEpoch}`);
  }
  if (playing === 0) return no('no media to check yet');
  return { encrypted: true, reason: `end-to-end encrypted (epoch ${epoch.epoch})` };
}
