// One participant's side of an E2EE v2 room (docs/protocol.md §7): the MLS
// group member that follows the server's Delivery Service. Sans-IO: no
// socket, no timers, no clock inside. The caller feeds every server message
// in, with the time, and sends what comes out:
//
//   const member = await MlsMember.create({ identity, name, signatureKeyPair, suite });
//   join: { ..., e2ee: true, key_package: member.keyPackageBlob }
//   on each server message:  await member.handleInput(msg, now);
//   when now >= member.nextTimeout():  await member.handleTimeout(now);
//   after either:  send every member.pollTransmit(), act on every member.pollEvent()
//
// Calls are serialised inside (each waits for the previous one), so the
// caller may fire them without awaiting, in order.
//
// What the member does:
// - creates the group (joined.mls.create / mls_group) with the server's
//   external sender in the external_senders extension, or joins from the
//   Welcome (ratchet tree in the GroupInfo's ratchet_tree extension), and
//   reports its leaf (mls_member);
// - commits pending work: Adds for announced participants' KeyPackages and
//   the server's pending Remove proposals (by reference). One member commits:
//   the one whose leaf ranks r among the members commits r x COMMIT_STAGGER_MS
//   after the work appeared, so the lowest leaf goes first and the others
//   only step in if it does not;
// - applies its own commit only when the server sends it back in mls_commit;
//   another commit of that epoch first means its own lost: dropped, and after
//   mls_stale_epoch it rebases (commits again from the new epoch if work is
//   left);
// - validates what others commit (Validation below) and refuses the rest;
// - chat (mls_app) in the current epoch only.
//
// Validation of a commit (anything else fails it, and the member stops: it
// cannot follow a group whose commit it refused):
// - proposals are Add or Remove only;
// - an Add carries exactly a KeyPackage the server announced for a
//   participant of this session (present, or left since), not already a member;
// - a Remove comes from the external sender (the server's proposal, committed
//   by reference; members never remove each other) and names a leaf not
//   bound to a present participant. A leaf is bound to the participant whose
//   KeyPackage was added there (seen in the commit), the group's creator to
//   leaf 0, and for a joiner, the leaves present at its join to the present
//   participants by credential identity. So a rejoin (same identity, new
//   session) can remove its old leaf, while the server cannot get a present
//   participant's leaf removed. (Edge case: a joiner welcomed while an old
//   leaf of a rejoined identity still waits for removal binds that leaf to
//   the new session and refuses its removal.)
//
// A leaf, a roster entry and a participant are tied by the credential identity
// (the token's sub); checkRoster() compares the two lists.

import { base64UrlDecode, base64UrlEncode } from './e2ee_identity.js';
import { compareBytes, pairwiseCode } from './e2ee_mls_keys.js';
import {
  DEFAULT_MLS_SUITE, MlsError, SERVER_SENDER_IDENTITY, checkRoster, decodeChat, decodeKeyPackageMessage,
  decodeMessage, encodeChat, encodeCredential, encodeMessage, exportFrameBaseKey, generateKeyPackage,
  loadSuite, makeClientConfig, mls, rosterOf, roomCodeOf, suiteName, wipe,
} from './e2ee_mls.js';

// The "v" of what we send: the signaling protocol's version (docs/protocol.md
// §1, src/signaling/messages.h kProtocolVersion). aegis.js sends our
// messages with its own kProtocolVersion, the same number.
export const PROTOCOL_VERSION = 2;
export const COMMIT_STAGGER_MS = 400;
// Adds in one commit. A commit and its Welcome must fit the server's 384 KiB
// mls_commit (protocol.md §7); with X-Wing keys about 16 Adds do, so a burst
// of joiners is added 8 at a time, one epoch after another.
export const MAX_ADDS_PER_COMMIT = 8;

export const MlsEvent = Object.freeze({
  EPOCH: 'epoch',           // { epoch (bigint), leaf, baseKey (16 bytes), roomCode }: a new epoch's keys
  CHAT: 'chat',             // { text, leaf, identity, name, participantId (or null), epoch }
  REFUSED: 'refused',       // { what, reason, ... }: input ignored, state unchanged
  REMOVED: 'removed',       // { epoch }: a commit removed this member; its keys are gone
  FAILED: 'failed',         // { reason, detail }: the member cannot follow the group any more
  COMMIT_REFUSED: 'commit_refused',  // { epoch }: the server refused our commit (mls_refused)
});

const kToken = Symbol('MlsMember');
const bytesEqual = (a, b) => a.length === b.length && compareBytes(a, b) === 0;

function epochOf(decoded) {
  if (decoded.wireformat === 'mls_private_message') return decoded.privateMessage;
  if (decoded.wireformat === 'mls_public_message') return decoded.publicMessage.content;
  return null;
}

export class MlsMember {
  #suite;
  #cs;
  #kp;
  #self;                        // { id, identity, name, credential, signatureKey }
  #allocateId;
  #participants = new Map();    // id -> { id, identity, name, kp: decoded KeyPackage or null }
  #departed = new Map();        // id -> the same, for participants who left in this session
  #group = null;                // { groupId, externalSender, externalSenderKey, config }
  #state = null;
  #phase = 'new';               // new | waiting | member | removed | failed
  #joinedAt = null;             // the epoch this member entered the group at
  #bindings = new Map();        // leaf -> participant id
  #pending = null;              // our commit awaiting its echo
  #lostCommitIds = new Set();   // request ids of our commits that lost (their mls_stale_epoch is expected)
  #badKeyPackages = new Set();  // participant ids whose KeyPackage a commit could not use
  #work = null;                 // { since, epoch } while there is something to commit
  #deadline = null;
  #transmits = [];
  #events = [];
  #chain = Promise.resolve();

  constructor(token, fields) {
    if (token !== kToken) throw new TypeError('use MlsMember.create()');
    this.#suite = fields.suite;
    this.#cs = fields.cs;
    this.#kp = fields.kp;
    this.#self = fields.self;
    this.#allocateId = fields.allocateId;
  }

  // identity, name: the token's sub and display name (the server checks the
  // KeyPackage's credential against them). signatureKeyPair: the persistent
  // Ed25519 pair (e2ee_identity_store.js). allocateRequestId: the signaling
  // client's request numbering (so `re` in errors is unambiguous); default
  // a counter of its own from 2^40.
  static async create({ identity, name = '', signatureKeyPair, suite = DEFAULT_MLS_SUITE, allocateRequestId } = {}) {
    const kp = await generateKeyPackage({ suite, identity, name, signatureKeyPair });
    let next = 2 ** 40;
    return new MlsMember(kToken, {
      suite,
      cs: kp.cs,
      kp,
      self: { id: null, identity, name, credential: encodeCredential(identity, name), signatureKey: signatureKeyPair.publicKey },
      allocateId: allocateRequestId ?? (() => next++),
    });
  }

  get suite() { return this.#suite; }
  get keyPackage() { return this.#kp.message; }
  get keyPackageBlob() { return base64UrlEncode(this.#kp.message); }
  get phase() { return this.#phase; }
  get epoch() { return this.#state && this.#phase === 'member' ? this.#state.groupContext.epoch : null; }
  get leaf() { return this.#state && this.#phase === 'member' ? this.#state.privatePath.leafIndex : null; }
  get groupId() { return this.#state?.groupContext.groupId ?? null; }
  get participantId() { return this.#self.id; }
  // The ts-mls state itself, for tests and diagnostics; never mutate it.
  get state() { return this.#state; }
  get hasPendingCommit() { return this.#pending !== null; }

  // ------------------------------------------------------------ sans-IO surface

  handleInput(msg, now) {
    return this.#serialize(async () => {
      await this.#input(msg);
      await this.#progress(now);
    });
  }

  handleTimeout(now) {
    return this.#serialize(() => this.#progress(now));
  }

  // The time handleTimeout() wants to run at, or null.
  nextTimeout() { return Number.isFinite(this.#deadline) ? this.#deadline : null; }
  pollTransmit() { return this.#transmits.shift(); }
  pollEvent() { return this.#events.shift(); }

  // Queues an mls_app with `text` (at most CHAT_MAX_CHARS). Throws MlsError.
  sendChat(text) {
    return this.#serialize(async () => {
      if (this.#phase !== 'member') throw new MlsError('not_member', 'not in the group');
      const payload = encodeChat(text);
      const r = await mls.createApplicationMessage(this.#state, payload, this.#cs);
      this.#state = r.newState;
      wipe(r.consumed);
      const message = encodeMessage({ wireformat: 'mls_private_message', privateMessage: r.privateMessage });
      this.#send({ type: 'mls_app', epoch: Number(this.#state.groupContext.epoch), message: base64UrlEncode(message) });
    });
  }

  // { epoch, baseKey } of the current epoch, or null outside the group.
  frameBaseKey() {
    return this.#serialize(async () => (this.#phase === 'member'
      ? { epoch: this.#state.groupContext.epoch, baseKey: await exportFrameBaseKey(this.#state, this.#cs) }
      : null));
  }

  roomCode() {
    return this.#phase === 'member' ? roomCodeOf(this.#state) : null;
  }

  roster() {
    return this.#phase === 'member' ? rosterOf(this.#state) : [];
  }

  // The roster against the participants the server announced (self included).
  rosterCheck() {
    const participants = [this.#self, ...this.#participants.values()].map(({ id, identity, name }) => ({ id, identity, name }));
    return checkRoster(this.roster(), participants);
  }

  // The pairwise code between this member and the member at `leaf`.
  async pairwiseCodeWith(leaf) {
    const other = this.roster().find((m) => m.leaf === leaf);
    if (!other) throw new MlsError('unknown_leaf', `no member at leaf ${leaf}`);
    return pairwiseCode(this.#self, other);
  }

  // ------------------------------------------------------------ input

  #serialize(fn) {
    const run = this.#chain.then(fn);
    this.#chain = run.catch(() => {});
    return run;
  }

  #send(fields) {
    this.#transmits.push({ v: PROTOCOL_VERSION, ...fields });
  }

  #emit(type, fields = {}) {
    this.#events.push({ type, ...fields });
  }

  #fail(reason, detail = '') {
    if (this.#phase === 'failed') return;
    this.#phase = 'failed';
    this.#pending = null;
    this.#state = null;
    this.#deadline = null;
    this.#emit(MlsEvent.FAILED, { reason, detail });
  }

  async #input(msg) {
    if (this.#phase === 'failed' || msg === null || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'joined': return this.#onJoined(msg);
      case 'mls_group': return this.#phase === 'waiting' ? this.#createGroup(msg) : undefined;
      case 'participant_joined': return this.#addParticipant(msg.participant);
      case 'participant_left': return this.#removeParticipant(msg.participant_id);
      case 'mls_welcome': return this.#phase === 'waiting' ? this.#onWelcome(msg) : undefined;
      case 'mls_commit': return this.#phase === 'member' ? this.#onCommit(msg) : undefined;
      case 'mls_proposal': return this.#phase === 'member' ? this.#onProposal(msg) : undefined;
      case 'mls_app': return this.#phase === 'member' ? this.#onApp(msg) : undefined;
      case 'error': return this.#onError(msg);
      default: return undefined;
    }
  }

  async #onJoined(msg) {
    if (this.#phase !== 'new') return;
    this.#self.id = msg.participant_id;
    for (const p of msg.participants ?? []) await this.#addParticipant(p);
    if (!msg.mls) return this.#fail('not_e2ee', 'joined without an mls object');
    this.#phase = 'waiting';
    if (msg.mls.create) return this.#createGroup(msg);
    this.#setGroup(msg.mls);
  }

  // Group parameters from a joined.mls / mls_group object.
  #setGroup(info) {
    if (info.suite !== this.#suite) return this.#fail('suite_mismatch', `room suite ${info.suite}, ours ${this.#suite}`);
    let externalSender;
    let decoded;
    try {
      externalSender = base64UrlDecode(info.external_sender);
      decoded = mls.decodeExternalSender(externalSender, 0);
    } catch { /* decoded stays undefined */ }
    if (!decoded || decoded[1] !== externalSender.length || decoded[0].credential.credentialType !== 'basic' ||
        new TextDecoder().decode(decoded[0].credential.identity) !== SERVER_SENDER_IDENTITY) {
      return this.#fail('bad_external_sender', 'the server external sender is not a basic "aegis-server" credential');
    }
    const externalSenderKey = decoded[0].signaturePublicKey;
    this.#group = {
      groupId: base64UrlDecode(info.group_id),
      externalSender,
      externalSenderKey,
      config: makeClientConfig({ externalSenderKey }),
    };
    return true;
  }

  async #createGroup(msg) {
    const info = msg.mls ?? msg;
    if (this.#setGroup(info) !== true) return;
    const extensions = [{ extensionType: 'external_senders', extensionData: this.#group.externalSender }];
    const state = await mls.createGroup(this.#group.groupId, this.#kp.publicPackage, this.#kp.privatePackage,
      extensions, this.#cs, this.#group.config);
    if (state.groupContext.epoch !== BigInt(info.epoch ?? 0)) return this.#fail('bad_epoch', 'a new group starts at epoch 0');
    this.#enterGroup(state);
    this.#bindings.set(0, this.#self.id);
    await this.#announceEpoch();
  }

  async #onWelcome(msg) {
    if (!this.#group) return;
    let state;
    try {
      const decoded = decodeMessage(base64UrlDecode(msg.welcome));
      if (decoded.wireformat !== 'mls_welcome') throw new MlsError('malformed', 'not a Welcome');
      state = await mls.joinGroup(decoded.welcome, this.#kp.publicPackage, this.#kp.privatePackage, mls.emptyPskIndex,
        this.#cs, undefined, undefined, this.#group.config);
    } catch (e) {
      return this.#emit(MlsEvent.REFUSED, { what: 'welcome', reason: 'invalid', detail: String(e?.message ?? e) });
    }
    const gc = state.groupContext;
    const senders = gc.extensions.filter((x) => x.extensionType === 'external_senders');
    let reason = null;
    if (!bytesEqual(gc.groupId, this.#group.groupId)) reason = 'other_group';
    else if (gc.cipherSuite !== suiteName(this.#suite)) reason = 'other_suite';
    else if (Number.isSafeInteger(msg.epoch) && gc.epoch !== BigInt(msg.epoch)) reason = 'epoch_mismatch';
    else if (senders.length !== 1 || !bytesEqual(senders[0].extensionData, this.#group.externalSender)) reason = 'external_sender';
    if (reason) return this.#emit(MlsEvent.REFUSED, { what: 'welcome', reason });
    this.#enterGroup(state);
    // Bind the leaves present now to the participants present now, by identity.
    const present = new Map([...this.#participants.values()].map((p) => [p.identity, p.id]));
    for (const m of rosterOf(state)) {
      if (m.leaf === this.leaf) this.#bindings.set(m.leaf, this.#self.id);
      else if (m.identity !== null && present.has(m.identity)) this.#bindings.set(m.leaf, present.get(m.identity));
    }
    await this.#announceEpoch();
  }

  #enterGroup(state) {
    this.#state = state;
    this.#phase = 'member';
    this.#joinedAt = state.groupContext.epoch;
    this.#send({ type: 'mls_member', epoch: Number(state.groupContext.epoch), leaf: state.privatePath.leafIndex });
  }

  async #announceEpoch() {
    const state = this.#state;
    this.#emit(MlsEvent.EPOCH, {
      epoch: state.groupContext.epoch,
      leaf: state.privatePath.leafIndex,
      baseKey: await exportFrameBaseKey(state, this.#cs),
      roomCode: roomCodeOf(state),
    });
  }

  async #addParticipant(p) {
    if (!p || typeof p.id !== 'string' || typeof p.identity !== 'string' || p.id === this.#self.id) return;
    const entry = { id: p.id, identity: p.identity, name: String(p.name ?? ''), kp: null };
    if (typeof p.key_package === 'string') {
      try {
        const kp = decodeKeyPackageMessage(base64UrlDecode(p.key_package), this.#suite);
        if (kp.identity !== entry.identity || kp.name !== entry.name) throw new MlsError('bad_key_package', 'credential is not this participant');
        const cs = await loadSuite(this.#suite);
        if (!(await mls.verifyKeyPackage(kp.keyPackage, cs.signature)) ||
            !(await mls.verifyLeafNodeSignatureKeyPackage(kp.keyPackage.leafNode, cs.signature))) {
          throw new MlsError('bad_key_package', 'KeyPackage signature does not verify');
        }
        entry.kp = kp;
      } catch (e) {
        this.#emit(MlsEvent.REFUSED, { what: 'key_package', participantId: p.id, reason: e?.code ?? 'invalid', detail: String(e?.message ?? e) });
      }
    }
    this.#departed.delete(p.id);
    this.#participants.set(p.id, entry);
  }

  #removeParticipant(id) {
    const p = this.#participants.get(id);
    if (!p) return;
    this.#participants.delete(id);
    this.#departed.set(id, p);
  }

  // ------------------------------------------------------------ commits

  async #onCommit(msg) {
    let bytes;
    let decoded;
    try {
      bytes = base64UrlDecode(msg.commit);
      decoded = decodeMessage(bytes);
    } catch {
      return this.#emit(MlsEvent.REFUSED, { what: 'commit', reason: 'malformed' });
    }
    if (this.#pending && bytesEqual(bytes, this.#pending.commitBytes)) return this.#adoptOwnCommit();
    const framing = epochOf(decoded);
    if (!framing || framing.contentType !== 'commit') return this.#emit(MlsEvent.REFUSED, { what: 'commit', reason: 'not_a_commit' });
    if (!bytesEqual(framing.groupId, this.#state.groupContext.groupId)) {
      return this.#emit(MlsEvent.REFUSED, { what: 'commit', reason: 'other_group' });
    }
    const current = this.#state.groupContext.epoch;
    if (framing.epoch < current) {
      // A commit from before we joined is expected once (the one that added us); any other is a replay.
      if (framing.epoch >= this.#joinedAt) this.#emit(MlsEvent.REFUSED, { what: 'commit', reason: 'old_epoch', epoch: framing.epoch });
      return;
    }
    if (framing.epoch > current) return this.#fail('epoch_gap', `commit for epoch ${framing.epoch}, ours is ${current}`);
    if (this.#pending) {
      // Another commit won this epoch: ours is void (the server's mls_stale_epoch follows).
      this.#lostCommitIds.add(this.#pending.id);
      this.#pending = null;
    }
    let verdict = { ok: false, reason: 'not_validated', adds: [] };
    const callback = (incoming) => {
      if (incoming.kind !== 'commit') return 'reject';
      verdict = this.#validateCommit(incoming.proposals);
      return verdict.ok ? 'accept' : 'reject';
    };
    let result;
    try {
      result = decoded.wireformat === 'mls_private_message'
        ? await mls.processPrivateMessage(this.#state, decoded.privateMessage, mls.emptyPskIndex, this.#cs, callback)
        : await mls.processPublicMessage(this.#state, decoded.publicMessage, mls.emptyPskIndex, this.#cs, callback);
    } catch (e) {
      return this.#fail('commit_invalid', String(e?.message ?? e));
    }
    if (result.kind === 'applicationMessage' || result.actionTaken !== 'accept') {
      return this.#fail('commit_refused', verdict.reason);
    }
    this.#state = result.newState;
    wipe(result.consumed);
    if (this.#state.groupActiveState.kind === 'removedFromGroup') return this.#removed();
    this.#rebind(verdict.adds);
    await this.#announceEpoch();
  }

  async #adoptOwnCommit() {
    const pending = this.#pending;
    this.#pending = null;
    this.#state = pending.newState;
    wipe(pending.consumed);
    this.#rebind(pending.adds);
    await this.#announceEpoch();
  }

  #removed() {
    const epoch = this.#state.groupContext.epoch;
    this.#phase = 'removed';
    this.#state = null;
    this.#pending = null;
    this.#deadline = null;
    this.#emit(MlsEvent.REMOVED, { epoch });
  }

  // Leaves emptied lose their binding; added participants are bound to the
  // leaf that holds their KeyPackage's encryption key.
  #rebind(addedParticipants) {
    const roster = rosterOf(this.#state);
    const live = new Set(roster.map((m) => m.leaf));
    for (const leaf of [...this.#bindings.keys()]) if (!live.has(leaf)) this.#bindings.delete(leaf);
    for (const p of addedParticipants) {
      const m = roster.find((r) => bytesEqual(r.encryptionKey, p.kp.keyPackage.leafNode.hpkePublicKey));
      if (m) this.#bindings.set(m.leaf, p.id);
    }
  }

  #isPresentAt(leaf) {
    const id = this.#bindings.get(leaf);
    return id !== undefined && (id === this.#self.id || this.#participants.has(id));
  }

  // The announced participant (present or departed) whose KeyPackage this is.
  #announcedFor(keyPackage) {
    const bytes = mls.encodeKeyPackage(keyPackage);
    for (const p of [...this.#participants.values(), ...this.#departed.values()]) {
      if (p.kp && bytesEqual(p.kp.bytes, bytes)) return p;
    }
    return null;
  }

  // docs: "Validation of a commit" at the top of this file.
  #validateCommit(proposals) {
    const adds = [];
    const removed = new Set();
    for (const { proposal, senderLeafIndex } of proposals) {
      if (proposal.proposalType === 'remove') {
        if (senderLeafIndex !== undefined) return { ok: false, reason: 'member_remove', adds };
        // Our own removal is not ours to refuse: we are out either way, and say so (REMOVED).
        const leaf = proposal.remove.removed;
        if (leaf !== this.#state.privatePath.leafIndex && this.#isPresentAt(leaf)) return { ok: false, reason: 'remove_present', adds };
        removed.add(leaf);
      } else if (proposal.proposalType !== 'add') {
        return { ok: false, reason: `proposal_${proposal.proposalType}`, adds };
      }
    }
    const bound = new Set([...this.#bindings].filter(([leaf]) => !removed.has(leaf)).map(([, id]) => id));
    for (const { proposal } of proposals) {
      if (proposal.proposalType !== 'add') continue;
      const p = this.#announcedFor(proposal.add.keyPackage);
      if (!p) return { ok: false, reason: 'add_unannounced', adds };
      if (bound.has(p.id) || adds.includes(p)) return { ok: false, reason: 'add_duplicate', adds };
      adds.push(p);
    }
    return { ok: true, reason: null, adds };
  }

  // What this member would commit now: { refs (pending Remove proposals to
  // commit by reference), removedLeaves, adds (participants) }, or null.
  #pendingWork() {
    if (this.#phase !== 'member' || this.#pending) return null;
    const roster = rosterOf(this.#state);
    const refs = [];
    const removedLeaves = new Set();
    for (const [ref, { proposal, senderLeafIndex }] of Object.entries(this.#state.unappliedProposals)) {
      if (proposal.proposalType !== 'remove' || senderLeafIndex !== undefined) continue;
      const leaf = proposal.remove.removed;
      if (!roster.some((m) => m.leaf === leaf) || this.#isPresentAt(leaf) || removedLeaves.has(leaf)) continue;
      refs.push(ref);
      removedLeaves.add(leaf);
    }
    const remaining = roster.filter((m) => !removedLeaves.has(m.leaf));
    const boundIds = new Set([...this.#bindings].filter(([leaf]) => !removedLeaves.has(leaf)).map(([, id]) => id));
    const adds = [];
    for (const p of this.#participants.values()) {
      if (!p.kp || this.#badKeyPackages.has(p.id) || boundIds.has(p.id)) continue;
      const leafNode = p.kp.keyPackage.leafNode;
      // Wait while a leaf of the same identity or key stays (a rejoin whose
      // old leaf's Remove has not come yet): MLS refuses duplicate keys.
      if (remaining.some((m) => m.identity === p.identity || bytesEqual(m.signatureKey, leafNode.signaturePublicKey))) continue;
      adds.push(p);
      if (adds.length === MAX_ADDS_PER_COMMIT) break;
    }
    return refs.length || adds.length ? { refs, removedLeaves: [...removedLeaves], adds } : null;
  }

  async #progress(now) {
    const work = this.#pendingWork();
    if (!work) {
      this.#work = null;
      this.#deadline = null;
      return;
    }
    const epoch = this.#state.groupContext.epoch;
    if (!this.#work || this.#work.epoch !== epoch) this.#work = { since: now, epoch };
    // Rank among the members that stay (present or not known to have left).
    const stayers = rosterOf(this.#state)
      .filter((m) => !work.removedLeaves.includes(m.leaf))
      .filter((m) => !this.#bindings.has(m.leaf) || this.#isPresentAt(m.leaf))
      .map((m) => m.leaf);
    const rank = Math.max(0, stayers.indexOf(this.#state.privatePath.leafIndex));
    this.#deadline = this.#work.since + rank * COMMIT_STAGGER_MS;
    if (now >= this.#deadline) await this.#commit(work);
  }

  async #commit(work) {
    const state = this.#state;
    const picked = Object.fromEntries(work.refs.map((ref) => [ref, state.unappliedProposals[ref]]));
    let r;
    try {
      r = await mls.createCommit(
        { state: { ...state, unappliedProposals: picked }, cipherSuite: this.#cs },
        {
          extraProposals: work.adds.map((p) => ({ proposalType: 'add', add: { keyPackage: p.kp.keyPackage } })),
          ratchetTreeExtension: true,
        });
    } catch (e) {
      // A KeyPackage that passed our checks but not ts-mls's: leave those out from now on.
      for (const p of work.adds) this.#badKeyPackages.add(p.id);
      this.#emit(MlsEvent.REFUSED, { what: 'own_commit', reason: 'build_failed', detail: String(e?.message ?? e) });
      return;
    }
    const commitBytes = mls.encodeMlsMessage(r.commit);
    const id = this.#allocateId();
    this.#pending = { id, commitBytes, newState: r.newState, consumed: r.consumed, adds: work.adds };
    this.#deadline = null;
    const msg = { type: 'mls_commit', id, epoch: Number(state.groupContext.epoch), commit: base64UrlEncode(commitBytes) };
    if (r.welcome) {
      msg.welcome = base64UrlEncode(encodeMessage({ wireformat: 'mls_welcome', welcome: r.welcome }));
      msg.added = work.adds.map((p) => p.id);
    }
    if (work.removedLeaves.length) msg.removed = work.removedLeaves;
    this.#send(msg);
  }

  #onError(msg) {
    if (msg.code !== 'mls_stale_epoch' && msg.code !== 'mls_refused') return;
    if (this.#lostCommitIds.delete(msg.re)) return;  // already known lost
    if (!this.#pending || msg.re !== this.#pending.id) return;
    const epoch = this.#state.groupContext.epoch;
    this.#pending = null;  // never applied: its secrets were never used
    if (msg.code === 'mls_refused') {
      this.#emit(MlsEvent.COMMIT_REFUSED, { epoch });
      // No retry in this epoch (the next commit resets it): a second commit
      // from the same state would take the same handshake key generation.
      this.#work = { since: Infinity, epoch };
    }
    // mls_stale_epoch: the winning commit came first and was applied; #progress rebases.
  }

  // ------------------------------------------------------------ proposals

  async #onProposal(msg) {
    let decoded;
    try {
      decoded = decodeMessage(base64UrlDecode(msg.proposal));
    } catch {
      return this.#emit(MlsEvent.REFUSED, { what: 'proposal', reason: 'malformed' });
    }
    const content = decoded.wireformat === 'mls_public_message' ? decoded.publicMessage.content : null;
    if (!content || content.contentType !== 'proposal') return this.#emit(MlsEvent.REFUSED, { what: 'proposal', reason: 'not_a_proposal' });
    if (content.sender.senderType !== 'external' || content.sender.senderIndex !== 0) {
      return this.#emit(MlsEvent.REFUSED, { what: 'proposal', reason: 'not_the_server' });
    }
    if (content.proposal.proposalType !== 'remove') return this.#emit(MlsEvent.REFUSED, { what: 'proposal', reason: 'not_a_remove' });
    if (!bytesEqual(content.groupId, this.#state.groupContext.groupId)) return this.#emit(MlsEvent.REFUSED, { what: 'proposal', reason: 'other_group' });
    // The server re-sends its Removes after each commit; one for another epoch is simply not for now.
    if (content.epoch !== this.#state.groupContext.epoch) return;
    try {
      const r = await mls.processPublicMessage(this.#state, decoded.publicMessage, mls.emptyPskIndex, this.#cs, () => 'accept');
      this.#state = r.newState;
    } catch (e) {
      this.#emit(MlsEvent.REFUSED, { what: 'proposal', reason: 'invalid', detail: String(e?.message ?? e) });
    }
  }

  // ------------------------------------------------------------ chat

  async #onApp(msg) {
    let decoded;
    try {
      decoded = decodeMessage(base64UrlDecode(msg.message));
    } catch {
      return this.#emit(MlsEvent.REFUSED, { what: 'chat', reason: 'malformed' });
    }
    const pm = decoded.wireformat === 'mls_private_message' ? decoded.privateMessage : null;
    if (!pm || pm.contentType !== 'application') return this.#emit(MlsEvent.REFUSED, { what: 'chat', reason: 'not_application' });
    const gc = this.#state.groupContext;
    if (!bytesEqual(pm.groupId, gc.groupId)) return this.#emit(MlsEvent.REFUSED, { what: 'chat', reason: 'other_group' });
    // Current epoch only: a member removed in the last commit still holds the
    // previous epoch's keys, so nothing from an older epoch is accepted.
    if (pm.epoch !== gc.epoch) {
      return this.#emit(MlsEvent.REFUSED, { what: 'chat', reason: pm.epoch < gc.epoch ? 'old_epoch' : 'future_epoch', epoch: pm.epoch });
    }
    // ts-mls's processPrivateMessage does not say who sent an application
    // message; its unprotectPrivateMessage (which it calls) does, after
    // checking the sender's signature against the sender's leaf.
    let result;
    try {
      result = await mls.unprotectPrivateMessage(this.#state.keySchedule.senderDataSecret, pm, this.#state.secretTree,
        this.#state.ratchetTree, gc, this.#state.clientConfig.keyRetentionConfig, this.#cs);
    } catch (e) {
      return this.#emit(MlsEvent.REFUSED, { what: 'chat', reason: 'undecryptable', detail: String(e?.message ?? e) });
    }
    this.#state = { ...this.#state, secretTree: result.tree };
    wipe(result.consumed);
    const content = result.content.content;
    if (content.contentType !== 'application' || content.sender.senderType !== 'member') {
      return this.#emit(MlsEvent.REFUSED, { what: 'chat', reason: 'not_application' });
    }
    let text;
    try {
      text = decodeChat(content.applicationData);
    } catch (e) {
      return this.#emit(MlsEvent.REFUSED, { what: 'chat', reason: e.code ?? 'bad_chat' });
    }
    const leaf = content.sender.leafIndex;
    const m = rosterOf(this.#state).find((r) => r.leaf === leaf);
    this.#emit(MlsEvent.CHAT, {
      text, leaf, identity: m?.identity ?? null, name: m?.name ?? null,
      participantId: this.#isPresentAt(leaf) ? this.#bindings.get(leaf) : null, epoch: gc.epoch,
    });
  }
}
