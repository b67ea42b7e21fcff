// The E2EE key manager of one participant: the state machine of
// docs/e2ee.md §4, driven by the room's events.
//
//   joined (start()):      K := random; seal K to every listed participant
//   participantjoined J:   K := ratchet(K); seal K to J only (to everyone once
//                          RATCHET_WINDOW ratchets have not gone to all); encrypt with K now
//   participantleft L:     50 ms later: K := random; seal K to every participant
//                          remaining then; encrypt with K 250 ms after that, < 1 s
//   keyblob from S:        open it with S's announced identity key; S's newest key
//                          (a KID already received from S is refused: a replay)
//
// Frames themselves are handled by the worker (e2ee_transform_worker.js);
// this module decides which keys it gets. It also keeps the short
// authentication string (e2ee_sas.js) and the honest "encrypted" status
// (docs/e2ee.md §6) up to date.
//
// `room` is the SDK's AegisRoom (or anything with the same events,
// participants, participantId, roomId and sendKeyBlob(to, bytes));
// `transforms` is an E2eeTransforms (or a stand-in with setEncryptionKey,
// addReceiveKey, removeSender, report). Every event is handled in arrival
// order, one at a time, so a key blob never overtakes the join that
// announced its sender.

import { base64UrlDecode, importIdentityPublicKey } from './e2ee_identity.js';
import { deriveKid, randomSenderKey, ratchetKey, RATCHET_WINDOW, SEEN_KIDS_PER_SENDER } from './e2ee_keyring.js';
import { computeSas } from './e2ee_sas.js';
import { openSenderKey, sealSenderKey } from './e2ee_seal.js';

export const SEND_DELAY_MS = 50;      // after a leave, more leaves may follow: they share one fresh key
export const SWITCH_DELAY_MS = 250;   // blobs go out, then the sender switches
export const SWITCH_DEADLINE_MS = 1000;  // ... and never later than this after a leave
export const ROTATION_CHECK_MS = 1500;   // every other member must have sent a fresh key by then
export const STATUS_INTERVAL_MS = 1000;
// Senders whose blob KIDs are remembered (members and departed ones).
const kBlobKidSenders = 1024;

const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export class E2eeManager {
  #room;
  #identity;
  #transforms;
  #emit;
  #timers;
  #testHooks;
  #selfId;
  #roomId;
  // id -> { id, name, identityKey (as announced), raw: Uint8Array|null, publicKey: CryptoKey|null,
  //        keyProblem, identityChanged, rotationDueAt }
  #members = new Map();
  // { kid, key, ratchets }: what the worker encrypts with. `ratchets` counts
  // the ratchet steps since this key line was last sealed to every member.
  #current = null;
  // { kid, key, ratchets, since, timer }: fresh key after a leave, sealed to
  // everyone, not yet in use; `since` is the first leave it is switched for.
  #pending = null;
  // { since, timer }: leaves not yet answered by a sealed fresh key; the blobs
  // go out when `timer` fires (SEND_DELAY_MS after the first of them).
  #rotation = null;
  // sender id -> Set of KIDs opened from its blobs (the last SEEN_KIDS_PER_SENDER).
  // Kept after the sender leaves: a server could announce it again, with the
  // same identity key, and replay its old blobs to a fresh keyring.
  #blobKids = new Map();
  #queue = Promise.resolve();
  #sas = null;
  #status = { encrypted: false, reason: 'no media checked yet' };
  #lastReport = null;
  #statusTimer = null;
  #refreshing = false;
  #closed = false;
  #received = [];        // test hooks only: [{ from, kid, key (hex) }]
  #counters = { blobsSent: 0, blobsOpened: 0, blobsRefused: 0, blobRefusals: {} };
  #listeners = [];

  // identity: from generateIdentity(). emit(type, fields): how events reach
  // the app ('saschange' {sas, members, ...}, 'e2eestatus' {encrypted, reason},
  // 'e2eeerror' {code, from, message}: a blob refused (auth_failed, replayed,
  // ...), an identity key that changed (identity_key_changed), ...).
  // timers: { setTimeout, clearTimeout, setInterval, clearInterval, now } for tests.
  constructor({ room, identity, transforms, emit = () => {}, testHooks = false, timers = globalThis }) {
    this.#room = room;
    this.#identity = identity;
    this.#transforms = transforms;
    this.#emit = emit;
    this.#testHooks = testHooks;
    this.#timers = {
      setTimeout: timers.setTimeout.bind(timers), clearTimeout: timers.clearTimeout.bind(timers),
      setInterval: timers.setInterval.bind(timers), clearInterval: timers.clearInterval.bind(timers),
      now: timers.now ?? (() => performance.now()),
    };
    this.#selfId = room.participantId;
    this.#roomId = room.roomId;
    // Listening starts now, before any later message can be dispatched.
    this.#listen('participantjoined', (e) => this.#enqueue(() => this.#onJoined(e.participant)));
    this.#listen('participantleft', (e) => this.#enqueue(() => this.#onLeft(e.participantId)));
    this.#listen('keyblob', (e) => this.#enqueue(() => this.#onKeyBlob(e.from, e.blob)));
  }

  // The `joined` step. Resolves once the first key is in the worker and
  // sealed to everyone already in the room.
  start() {
    this.#statusTimer = this.#timers.setInterval(() => this.#refreshStatus(), STATUS_INTERVAL_MS);
    const listed = this.#room.participants;  // as of `joined`; later changes arrive as events
    return this.#enqueue(async () => {
      for (const p of listed) await this.#addMember(p);
      const key = randomSenderKey();
      this.#current = { kid: await deriveKid(key), key, ratchets: 0 };
      this.#transforms.setEncryptionKey(this.#current.kid, key);
      for (const member of this.#members.values()) await this.#sendKey(member, this.#current, false);
      await this.#updateSas();
    });
  }

  close() {
    this.#closed = true;
    this.#timers.clearInterval(this.#statusTimer);
    if (this.#pending) this.#timers.clearTimeout(this.#pending.timer);
    if (this.#rotation) this.#timers.clearTimeout(this.#rotation.timer);
    this.#rotation = null;
    for (const [type, fn] of this.#listeners) this.#room.removeEventListener(type, fn);
    this.#current?.key.fill(0);
    this.#pending?.key.fill(0);
    this.#current = null;
    this.#pending = null;
  }

  // The current SAS: { emoji: [6], names: [6], text, label, members }, or null
  // before start(). `members`: how many identity keys it covers (own included),
  // shown next to it so that a member added by the server is seen (§1).
  get sas() { return this.#sas; }
  get status() { return { ...this.#status }; }
  get counters() { return { ...this.#counters, blobRefusals: { ...this.#counters.blobRefusals } }; }
  get ownKid() { return this.#current?.kid ?? null; }

  // Waits until every event received so far has been handled.
  settled() { return this.#queue; }

  // Per participant id: what the worker counted for it. The own id carries
  // what was sent: { encryptedFrames, failedFrames, currentKid, kids }.
  async stats() {
    const report = await this.#transforms.report();
    return summarize(report, this.#selfId);
  }

  // Test hooks only (the SDK exposes it only with testHooks: true).
  exportKeyStateForTesting() {
    if (!this.#testHooks) throw new Error('test hooks are off');
    return {
      ownKid: this.#current?.kid ?? null,
      ownKey: this.#current ? toHex(this.#current.key) : null,
      pendingKid: this.#pending?.kid ?? null,
      pendingKey: this.#pending ? toHex(this.#pending.key) : null,
      receivedKeys: this.#received.map((r) => ({ ...r })),
    };
  }

  // ------------------------------------------------------------ events

  async #onJoined(participant) {
    if (participant.id === this.#selfId) return;
    const known = this.#members.get(participant.id);
    if (known) {
      // Announced again. With the same identity key nothing changes. With
      // another one, the server (or a bug) is swapping the key of someone we
      // already seal to: keep the first key, seal nothing to the new one,
      // and say so until that member leaves (docs/e2ee.md §4, §6).
      if ((participant.identityKey ?? null) === known.identityKey) return;
      known.identityChanged = true;
      this.#emit('e2eeerror', {
        code: 'identity_key_changed', from: participant.id,
        message: `identity key of ${known.name || known.id} changed`,
      });
      return;
    }
    const member = await this.#addMember(participant);
    // Ratchet whatever is newest: the pending key if a leave is switching
    // (the others hold it and find its ratchet in their window), else the
    // current one, which we switch to right away.
    const target = this.#pending ?? this.#current;
    const next = await ratchetKey(target.key);
    target.key.fill(0);
    target.key = next;
    target.kid = await deriveKid(next);
    if (target === this.#current) this.#transforms.setEncryptionKey(target.kid, target.key);
    // The others follow our ratchets through a window of RATCHET_WINDOW steps
    // past the newest key they hold. One that saw none of our frames meanwhile
    // (e.g. we sat at the camera prompt through many joins) could not follow
    // past it, so before the count reaches the window the ratcheted key goes
    // to every member, not only the joiner.
    if (target.ratchets + 1 >= RATCHET_WINDOW) {
      target.ratchets = 0;
      for (const m of this.#members.values()) await this.#sendKey(m, target, true);
    } else {
      target.ratchets++;
      await this.#sendKey(member, target, true);
    }
    await this.#updateSas();
  }

  // A leave rotates our key, but not at once: leaves often come in bursts
  // (a meeting ending), and each rotation costs a blob per member. The first
  // leave arms a timer; leaves until it fires share its one fresh key, which
  // is sealed only to those still here when it fires. A leave after the
  // blobs went out needs another key (the leaver got this one): it arms the
  // timer again, and the newer key replaces the waiting one. The switch stays
  // within SWITCH_DEADLINE_MS of the first leave not yet switched for.
  async #onLeft(participantId) {
    if (!this.#members.delete(participantId)) return;
    this.#transforms.removeSender(participantId);
    this.#received = this.#received.filter((r) => r.from !== participantId);
    const now = this.#timers.now();
    // Everyone still here must send us a fresh key too (status, §6).
    for (const m of this.#members.values()) if (m.publicKey) m.rotationDueAt ??= now + ROTATION_CHECK_MS;
    await this.#updateSas();
    if (this.#rotation) return;  // blobs not sent yet: this leave shares them
    const since = this.#pending?.since ?? now;
    const delay = Math.max(0, Math.min(SEND_DELAY_MS, this.#lastSwitchAt(since) - now));
    const rotation = { since, timer: null };
    rotation.timer = this.#timers.setTimeout(() => this.#enqueue(() => this.#sendFresh(rotation)), delay);
    this.#rotation = rotation;
  }

  // Latest moment to switch for leaves since `since`: SWITCH_DELAY_MS before
  // the deadline, a margin for late timers and the worker's key setup.
  #lastSwitchAt(since) {
    return since + SWITCH_DEADLINE_MS - SWITCH_DELAY_MS;
  }

  // One fresh key for every leave since the rotation was armed. Runs in the
  // event queue: every leave that arrived before it has removed its member.
  async #sendFresh(rotation) {
    if (this.#rotation !== rotation) return;
    this.#rotation = null;
    // The waiting key (if any) covered earlier leaves: the new one covers
    // them too and keeps their deadline.
    const since = Math.min(rotation.since, this.#pending?.since ?? Infinity);
    if (this.#pending) {
      this.#timers.clearTimeout(this.#pending.timer);
      this.#pending.key.fill(0);
    }
    const key = randomSenderKey();
    const fresh = { kid: await deriveKid(key), key, ratchets: 0, since, timer: null };
    this.#pending = fresh;
    for (const member of this.#members.values()) await this.#sendKey(member, fresh, false);
    const now = this.#timers.now();
    const delay = Math.max(0, Math.min(SWITCH_DELAY_MS, this.#lastSwitchAt(since) - now));
    fresh.timer = this.#timers.setTimeout(() => this.#enqueue(() => this.#switchTo(fresh)), delay);
  }

  #switchTo(fresh) {
    if (this.#pending !== fresh || this.#closed) return;
    this.#pending = null;
    this.#current.key.fill(0);
    this.#current = { kid: fresh.kid, key: fresh.key, ratchets: fresh.ratchets };
    this.#transforms.setEncryptionKey(fresh.kid, fresh.key);
  }

  async #onKeyBlob(from, blobText) {
    const member = this.#members.get(from);
    try {
      if (!member) throw Object.assign(new Error(`key blob from ${from}, who is not in the room`), { code: 'unknown_sender' });
      if (!member.publicKey) throw Object.assign(new Error(`${from} has no usable identity key`), { code: 'no_identity_key' });
      const blob = base64UrlDecode(blobText);
      const { kid, key, ratcheted } = await openSenderKey({
        privateKey: this.#identity.privateKey, peerPublicKey: member.publicKey,
        room: this.#roomId, from, to: this.#selfId, blob,
      });
      // A sender never seals the same KID to us twice (keys are random or
      // ratcheted): a KID again is a recorded blob replayed by the server.
      // The worker's keyring refuses it too (and KIDs it promoted); this
      // check also holds across a leave and a re-announcement of `from`.
      if (!this.#noteBlobKid(from, kid)) {
        key.fill(0);
        throw Object.assign(new Error(`key blob from ${from} for KID ${kid}, which it sent before (replayed)`), { code: 'replayed' });
      }
      this.#transforms.addReceiveKey(from, kid, key);
      if (this.#testHooks) this.#received.push({ from, kid, key: toHex(key) });
      key.fill(0);
      // A fresh (not ratcheted) key is the rotation a leave asks for.
      if (!ratcheted) member.rotationDueAt = null;
      this.#counters.blobsOpened++;
    } catch (e) {
      const code = e.code ?? 'malformed';
      this.#counters.blobsRefused++;
      this.#counters.blobRefusals[code] = (this.#counters.blobRefusals[code] ?? 0) + 1;
      this.#emit('e2eeerror', { code, from, message: e.message });
    }
  }

  // Records a KID opened from `from`'s blob; false when it was seen before.
  #noteBlobKid(from, kid) {
    let kids = this.#blobKids.get(from);
    if (kids?.has(kid)) return false;
    if (!kids) {
      kids = new Set();
      this.#blobKids.set(from, kids);
      if (this.#blobKids.size > kBlobKidSenders) {
        // Forget the longest-known sender that is no longer here.
        for (const id of this.#blobKids.keys()) {
          if (!this.#members.has(id) && id !== from) {
            this.#blobKids.delete(id);
            break;
          }
        }
      }
    }
    kids.add(kid);
    if (kids.size > SEEN_KIDS_PER_SENDER) kids.delete(kids.values().next().value);
    return true;
  }

  // ------------------------------------------------------------ helpers

  async #addMember(p) {
    const member = {
      id: p.id, name: p.name ?? '', identityKey: p.identityKey ?? null, raw: null, publicKey: null, keyProblem: null,
      identityChanged: false, rotationDueAt: null,
    };
    if (!p.identityKey) {
      member.keyProblem = 'no identity key';
    } else {
      try {
        const raw = base64UrlDecode(p.identityKey);
        member.publicKey = await importIdentityPublicKey(raw);
        member.raw = raw;
      } catch (e) {
        member.keyProblem = `unusable identity key (${e.message})`;
      }
    }
    this.#members.set(p.id, member);
    return member;
  }

  async #sendKey(member, { kid, key }, ratcheted) {
    if (!member.publicKey) return;  // it cannot open anything; it shows as not encrypted
    const blob = await sealSenderKey({
      privateKey: this.#identity.privateKey, peerPublicKey: member.publicKey,
      room: this.#roomId, from: this.#selfId, to: member.id, kid, key, ratcheted,
    });
    if (this.#room.sendKeyBlob(member.id, blob)) this.#counters.blobsSent++;
  }

  // Members without a usable key are left out: they make the status "not
  // encrypted" instead (their media cannot be decrypted, ours not by them).
  async #updateSas() {
    const keys = [this.#identity.publicRaw];
    for (const m of this.#members.values()) if (m.raw) keys.push(m.raw);
    const sas = { ...await computeSas(this.#roomId, keys), members: keys.length };
    if (sas.text === this.#sas?.text && sas.members === this.#sas?.members) return;
    this.#sas = sas;
    this.#emit('saschange', { sas: sas.text, label: sas.label, emoji: sas.emoji, names: sas.names, members: sas.members });
  }

  async #refreshStatus() {
    // One at a time: a slow worker must not make two looks interleave.
    if (this.#closed || this.#refreshing) return;
    this.#refreshing = true;
    try {
      const report = await this.#transforms.report();
      if (this.#closed) return;
      const status = evaluateStatus({ previous: this.#lastReport, report, members: this.#members, now: this.#timers.now() });
      this.#lastReport = report;
      if (status.encrypted === this.#status.encrypted && status.reason === this.#status.reason) return;
      this.#status = status;
      this.#emit('e2eestatus', { ...status });
    } finally {
      this.#refreshing = false;
    }
  }

  #listen(type, fn) {
    this.#room.addEventListener(type, fn);
    this.#listeners.push([type, fn]);
  }

  #enqueue(step) {
    const run = this.#queue.then(() => (this.#closed ? undefined : step()));
    this.#queue = run.catch((e) => this.#emit('e2eeerror', { code: 'internal', message: e?.message ?? String(e) }));
    return run;
  }
}

// docs/e2ee.md §6: encrypted only when every member has a usable identity
// key (announced once), has rotated its key after the last leave, and every
// track that is playing (frames arrived since the last look) is decrypting
// with the newest key of a current member. A key newer than the one in use is
// tolerated for SWITCH_DEADLINE_MS: that is the sender's switch after a leave.
// previous/report: worker reports; members: Map id -> { name, publicKey,
// keyProblem, identityChanged, rotationDueAt }; now: the clock of rotationDueAt.
export function evaluateStatus({ previous, report, members, now = 0 }) {
  if (report.workerError) return { encrypted: false, reason: `the encryption worker failed: ${report.workerError}` };
  const before = new Map((previous?.transforms ?? []).map((t) => [t.id, t]));
  const problems = [];
  // Members first, whether or not they publish: one without a usable key
  // cannot read our media either (we seal nothing to it), one whose key the
  // server changed may be someone else, and one that did not send a fresh key
  // after a leave may still encrypt with a key the leaver holds.
  for (const m of members.values()) {
    const who = m.name || m.id;
    if (!m.publicKey) problems.push(`${who} is not using end-to-end encryption (${m.keyProblem ?? 'no identity key'})`);
    else if (m.identityChanged) problems.push(`identity key of ${who} changed`);
    else if (m.rotationDueAt != null && now >= m.rotationDueAt) problems.push(`${who} did not rotate its key`);
  }
  let playing = 0;
  for (const t of report.transforms) {
    const p = before.get(t.id) ?? { encrypted: 0, decrypted: 0, failed: 0 };
    const failed = t.failed - p.failed;
    if (t.role === 'encrypt') {
      if (failed > 0 && t.encrypted === p.encrypted) problems.push(`your ${t.kind ?? 'media'} is not being encrypted`);
      continue;
    }
    const decrypted = t.decrypted - p.decrypted;
    if (decrypted + failed === 0) continue;  // nothing arriving, nothing played
    const member = members.get(t.participantId);
    if (!member) continue;  // its sender left; the track is on its way out
    const who = member.name || member.id;
    if (!member.publicKey) continue;  // reported above
    if (decrypted === 0) {
      problems.push(`cannot decrypt ${t.kind ?? 'media'} from ${who}`);
      continue;
    }
    const keys = report.senders[t.participantId];
    const newest = keys && (t.lastKid === keys.newestKid || (keys.newestAgeMs ?? Infinity) < SWITCH_DEADLINE_MS);
    if (!newest) problems.push(`${who} is not using its newest key`);
    playing++;
  }
  if (problems.length) return { encrypted: false, reason: problems.join('; ') };
  if (playing === 0) {
    return { encrypted: false, reason: members.size === 0 ? 'nobody else is here yet' : 'no media from the others yet' };
  }
  return { encrypted: true, reason: 'all media is decrypting with the current keys' };
}

// A worker report per participant id (see E2eeManager.stats()).
export function summarize(report, selfId) {
  const out = {};
  const own = { encryptedFrames: 0, failedFrames: 0, currentKid: report.ownKid ?? null, kids: [] };
  for (const t of report.transforms) {
    if (t.role === 'encrypt') {
      own.encryptedFrames += t.encrypted;
      own.failedFrames += t.failed;
      for (const k of t.kids) if (!own.kids.includes(k)) own.kids.push(k);
      continue;
    }
    if (!t.participantId) continue;
    const s = (out[t.participantId] ??= {
      decryptedFrames: 0, failedFrames: 0, unknownKidFrames: 0, currentKid: null, newestKid: null, kids: [], tracks: [],
    });
    s.decryptedFrames += t.decrypted;
    s.failedFrames += t.failed;
    s.unknownKidFrames += t.unknownKid;
    // Video's KID first: it is the one a viewer sees.
    if (t.lastKid !== null && (s.currentKid === null || t.kind === 'video')) s.currentKid = t.lastKid;
    for (const k of t.kids) if (!s.kids.includes(k)) s.kids.push(k);
    s.tracks.push({ kind: t.kind, decrypted: t.decrypted, failed: t.failed, unknownKid: t.unknownKid, lastKid: t.lastKid, reasons: t.reasons });
  }
  for (const [id, keys] of Object.entries(report.senders ?? {})) {
    if (out[id]) out[id].newestKid = keys.newestKid;
  }
  if (selfId) out[selfId] = own;
  return out;
}
