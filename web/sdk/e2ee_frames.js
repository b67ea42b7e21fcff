// Encrypting and decrypting whole media frames with SFrame keyed from the
// room's MLS group (docs/e2ee.md §2, RFC 9605 §5.2), apart from the Worker
// glue so that Node tests can run it.
//
//   const epochs = new EpochKeys();
//   await epochs.install(epoch, baseKey);       // MLS-Exporter("SFrame 1.0 Base Key", "", 16)
//
//   const enc = new TrackEncryptor({ kind: 'video', context: 1 });   // one per sending track
//   await enc.setEpoch(epoch, baseKey, ownLeaf);
//   const out = await enc.encrypt(frameBytes, isKeyFrame);           // SFrame ciphertext
//
//   const dec = new SenderDecryptor(epochs);     // one per remote participant
//   dec.setLeaf(leaf);                           // its leaf in the group (from the roster)
//   const { plaintext, kid } = await dec.decrypt(out, 'video');      // throws FrameError
//
// KIDs (e2ee_mls_keys.js frameKid, RFC 9605 §5.2): context, leaf and the
// epoch's low bits. `context` is the sending track's number at its sender
// (0, 1, 2, ...: never shared by two of its tracks), so every (track, epoch)
// has its own KID and CTR space. A receiver refuses a frame whose leaf is not
// the leaf of the participant the track belongs to (the server cannot move
// one member's frames onto another's track). The media kind is the SFrame
// metadata (authenticated, not sent), so the server cannot move a sender's
// audio frames into its video track either.
//
// CTR lanes. Chromium's VP8 receiver reads bit 0 of the first byte of a
// frame as VP8's "not a keyframe" bit before the receiver transform runs,
// and trusts it: a keyframe that reads as a delta frame is never decoded,
// so a receiver that starts mid-stream asks for keyframes forever (seen in
// Chromium 156). With whole-frame SFrame that byte is the SFrame config
// byte, whose bit 0 (for CTR >= 8) is (CTR length in bytes - 1) & 1. So the
// sender draws CTRs for keyframes from a range of 3-byte values and all
// other frames (video delta frames, audio) from a range of 4-byte values:
// bit 0 then matches the frame type, the codec payload stays wholly
// encrypted, and the format is plain RFC 9605. The two ranges never meet,
// so a CTR is still never reused under a key. What it reveals (this frame
// is a keyframe) the server already sees from frame sizes.

import { SframeReceiver, SframeSender, SframeError, decodeHeader } from './sframe.js';
import { FRAME_BASE_KEY_BYTES, FRAME_SUITE, epochBitsOf, frameKid, parseFrameKid } from './e2ee_mls_keys.js';

const SUITE = FRAME_SUITE;
export const OLD_EPOCH_GRACE_MS = 2000;       // a superseded epoch still decrypts frames in flight
export const KEYFRAME_CTR_START = 1n << 16n;  // [2^16, 2^24): 3-byte CTR, bit 0 = 0 ("keyframe")
export const KEYFRAME_CTR_END = 1n << 24n;
export const OTHER_CTR_START = 1n << 24n;     // [2^24, 2^32): 4-byte CTR, bit 0 = 1 ("delta")
export const OTHER_CTR_END = 1n << 32n;

const kMetadata = { audio: new TextEncoder().encode('audio'), video: new TextEncoder().encode('video') };

// 'key' | 'other' | null (a CTR no sender of ours uses).
export function laneOfCtr(ctr) {
  if (ctr >= KEYFRAME_CTR_START && ctr < KEYFRAME_CTR_END) return 'key';
  if (ctr >= OTHER_CTR_START && ctr < OTHER_CTR_END) return 'other';
  return null;
}

function metadataFor(kind) {
  const m = kMetadata[kind];
  if (!m) throw new FrameError('malformed', `unknown media kind ${kind}`);
  return m;
}

// Why a frame was dropped; `code` is stable for counters.
export class FrameError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'FrameError';
    this.code = code;  // no_key | exhausted | malformed | bad_lane | unknown_kid | wrong_sender | auth_failed | replay
  }
}

// The base keys of the group's live epochs, by their low EPOCH_BITS. A new
// epoch replaces the one with the same low bits (RFC 9605 §5.2), and every
// older epoch is forgotten OLD_EPOCH_GRACE_MS after a newer one arrived: a
// member removed in epoch n+1 holds nothing that opens epoch n+1's frames,
// and the frames of epoch n stop opening two seconds later at everyone.
export class EpochKeys {
  #now;
  #epochs = new Map();  // epoch bits -> { epoch, baseKey, supersededAt }
  #newest = null;
  #generation = 0;      // bumped whenever an epoch goes: receivers drop their derived keys

  constructor({ now = () => Date.now() } = {}) {
    this.#now = now;
  }

  get newest() { return this.#newest; }
  get generation() { return this.#generation; }
  get live() { return [...this.#epochs.values()].map((e) => e.epoch).sort((a, b) => a - b); }

  // Epochs only move forward: an older or repeated epoch is refused (false).
  install(epoch, baseKey) {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError('bad epoch');
    if (!(baseKey instanceof Uint8Array) || baseKey.length !== FRAME_BASE_KEY_BYTES) {
      throw new TypeError(`a base key is a Uint8Array of ${FRAME_BASE_KEY_BYTES} bytes`);
    }
    if (this.#newest !== null && epoch <= this.#newest) return false;
    const now = this.#now();
    for (const e of this.#epochs.values()) e.supersededAt ??= now;
    const bits = epochBitsOf(epoch);
    if (this.#epochs.has(bits)) this.#forget(bits);
    this.#epochs.set(bits, { epoch, baseKey: Uint8Array.from(baseKey), supersededAt: null });
    this.#newest = epoch;
    return true;
  }

  // The live epoch a KID's epoch bits name, or null.
  lookup(epochBits) {
    this.expire();
    return this.#epochs.get(epochBits) ?? null;
  }

  expire() {
    const now = this.#now();
    for (const [bits, e] of this.#epochs) {
      if (e.supersededAt !== null && now - e.supersededAt >= OLD_EPOCH_GRACE_MS) this.#forget(bits);
    }
  }

  wipe() {
    for (const bits of [...this.#epochs.keys()]) this.#forget(bits);
    this.#newest = null;
  }

  #forget(bits) {
    this.#epochs.get(bits)?.baseKey.fill(0);
    this.#epochs.delete(bits);
    this.#generation++;
  }
}

// The sending side of one track: the current epoch's KID for this track and
// an SFrame sender per CTR lane.
export class TrackEncryptor {
  #kind;
  #context;
  #current = null;  // { epoch, kid, key: SframeSender, other: SframeSender }

  constructor({ kind, context }) {
    metadataFor(kind);
    frameKid({ context, leaf: 0, epoch: 0 });  // throws on a context out of range
    this.#kind = kind;
    this.#context = context;
  }

  get kid() { return this.#current?.kid ?? null; }
  get epoch() { return this.#current?.epoch ?? null; }

  // Takes effect for frames encrypted after the returned promise settles;
  // frames already under way finish with the previous epoch.
  async setEpoch(epoch, baseKey, leaf) {
    const kid = frameKid({ context: this.#context, leaf, epoch });
    const [keyLane, otherLane] = await Promise.all([
      SframeSender.create(SUITE, kid, baseKey, { counter: KEYFRAME_CTR_START }),
      SframeSender.create(SUITE, kid, baseKey, { counter: OTHER_CTR_START }),
    ]);
    if (this.#current && this.#current.epoch > epoch) return;  // a newer one won meanwhile
    this.#current = { epoch, kid, key: keyLane, other: otherLane };
  }

  async encrypt(data, isKeyFrame) {
    const current = this.#current;
    if (!current) throw new FrameError('no_key', 'no group key yet');
    const sender = isKeyFrame ? current.key : current.other;
    const end = isKeyFrame ? KEYFRAME_CTR_END : OTHER_CTR_END;
    // The check and encrypt() (which takes its CTR synchronously) run with
    // no await between them, so no concurrent call can cross the range end.
    if (sender.counter >= end) throw new FrameError('exhausted', 'this epoch has used its CTR range on this track');
    return sender.encrypt(data, metadataFor(this.#kind));
  }
}

// The receiving side for one remote participant: frames must carry its
// leaf and a live epoch; one SFrame receiver per CTR lane, each with its
// own replay window per KID.
export class SenderDecryptor {
  #epochs;
  #leaf = null;
  #generation = -1;
  #lanes = { key: new SframeReceiver(SUITE), other: new SframeReceiver(SUITE) };
  #kids = new Map();  // KID with derived keys in the lanes -> its epoch

  constructor(epochs) {
    this.#epochs = epochs;
  }

  get leaf() { return this.#leaf; }

  // The participant's leaf in the group; null: not a member (nothing decrypts).
  setLeaf(leaf) {
    if (leaf === this.#leaf) return;
    this.#leaf = leaf;
    this.wipe();
  }

  // { plaintext, kid, epoch }, or throws FrameError.
  async decrypt(data, kind) {
    let header;
    try {
      header = decodeHeader(data);
    } catch (e) {
      throw new FrameError('malformed', e.message);
    }
    const lane = laneOfCtr(header.ctr);
    if (!lane) throw new FrameError('bad_lane', `CTR ${header.ctr} is in no lane`);
    const { leaf, epochBits } = parseFrameKid(header.kid);
    if (this.#leaf === null) throw new FrameError('unknown_kid', 'this participant is not in the group');
    if (leaf !== this.#leaf) throw new FrameError('wrong_sender', `KID of leaf ${leaf}, not this participant's ${this.#leaf}`);
    const live = this.#epochs.lookup(epochBits);
    if (this.#generation !== this.#epochs.generation) this.#dropStaleKeys();
    if (!live) throw new FrameError('unknown_kid', `no live epoch with bits ${epochBits}`);
    const receiver = this.#lanes[lane];
    if (!receiver.hasKey(header.kid)) {
      await Promise.all([this.#lanes.key.addKey(header.kid, live.baseKey), this.#lanes.other.addKey(header.kid, live.baseKey)]);
      this.#kids.set(header.kid, live.epoch);
    }
    let plaintext;
    try {
      plaintext = await receiver.decrypt(data, metadataFor(kind));
    } catch (e) {
      const code = e instanceof SframeError ? { unknown_kid: 'unknown_kid', auth_failed: 'auth_failed', replay: 'replay' }[e.code] : null;
      throw new FrameError(code ?? 'malformed', e.message);
    }
    return { plaintext, kid: header.kid, epoch: live.epoch };
  }

  wipe() {
    for (const kid of [...this.#kids.keys()]) this.#forget(kid);
  }

  #forget(kid) {
    this.#lanes.key.removeKey(kid);
    this.#lanes.other.removeKey(kid);
    this.#kids.delete(kid);
  }

  // An epoch went (superseded, or its bits reused): keys derived from it go
  // too, so a reused low-bits KID never opens with the old epoch's key. Keys
  // of epochs still live stay, with their replay windows.
  #dropStaleKeys() {
    this.#generation = this.#epochs.generation;
    for (const [kid, epoch] of [...this.#kids]) {
      if (this.#epochs.lookup(parseFrameKid(kid).epochBits)?.epoch !== epoch) this.#forget(kid);
    }
  }
}
