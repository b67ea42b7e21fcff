// Encrypting and decrypting whole media frames with SFrame (docs/e2ee.md §2),
// apart from the Worker glue so that Node tests can run it.
//
//   const enc = new FrameEncryptor();
//   await enc.setKey(kid, key);
//   const out = await enc.encrypt(frameBytes, isKeyFrame);   // SFrame ciphertext
//
//   const dec = new FrameDecryptor();                        // one per remote sender
//   await dec.addKey(kid, key);
//   const { plaintext, kid } = await dec.decrypt(out);       // throws FrameError
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

import { CipherSuite, SframeReceiver, SframeSender, SframeError, decodeHeader } from './sframe.js';
import { SenderKeyring } from './e2ee_keyring.js';

export const SUITE = CipherSuite.AES_128_GCM_SHA256_128;
export const KEYFRAME_CTR_START = 1n << 16n;  // [2^16, 2^24): 3-byte CTR, bit 0 = 0 ("keyframe")
export const KEYFRAME_CTR_END = 1n << 24n;
export const OTHER_CTR_START = 1n << 24n;     // [2^24, 2^32): 4-byte CTR, bit 0 = 1 ("delta")
export const OTHER_CTR_END = 1n << 32n;

// 'key' | 'other' | null (a CTR no sender of ours uses).
export function laneOfCtr(ctr) {
  if (ctr >= KEYFRAME_CTR_START && ctr < KEYFRAME_CTR_END) return 'key';
  if (ctr >= OTHER_CTR_START && ctr < OTHER_CTR_END) return 'other';
  return null;
}

// Why a frame was dropped; `code` is stable for counters.
export class FrameError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'FrameError';
    this.code = code;  // no_key | exhausted | malformed | bad_lane | unknown_kid | auth_failed | replay
  }
}

// The sending side: one current key, shared by every track of this
// participant so that a (KID, CTR) is never used twice across tracks.
export class FrameEncryptor {
  #current = null;  // { kid, key: SframeSender, other: SframeSender }

  get kid() { return this.#current?.kid ?? null; }

  // Takes effect for frames encrypted after the returned promise settles;
  // frames already under way finish with the previous key.
  async setKey(kid, key) {
    const [keyLane, otherLane] = await Promise.all([
      SframeSender.create(SUITE, kid, key, { counter: KEYFRAME_CTR_START }),
      SframeSender.create(SUITE, kid, key, { counter: OTHER_CTR_START }),
    ]);
    this.#current = { kid, key: keyLane, other: otherLane };
  }

  async encrypt(data, isKeyFrame) {
    const current = this.#current;
    if (!current) throw new FrameError('no_key', 'no sender key yet');
    const sender = isKeyFrame ? current.key : current.other;
    const end = isKeyFrame ? KEYFRAME_CTR_END : OTHER_CTR_END;
    // The check and encrypt() (which takes its CTR synchronously) run with
    // no await between them, so no concurrent call can cross the range end.
    if (sender.counter >= end) throw new FrameError('exhausted', 'this key has used its CTR range; it needs replacing');
    return sender.encrypt(data);
  }
}

// The receiving side for one remote sender: its keyring (ratchet window,
// grace, cap) and an SFrame receiver per CTR lane, each with its own replay
// window (the lanes' counters are 2^24 apart, one window could not hold both).
export class FrameDecryptor {
  #keyring;
  #lanes = { key: new SframeReceiver(SUITE), other: new SframeReceiver(SUITE) };

  constructor({ now } = {}) {
    this.#keyring = new SenderKeyring({ now });
  }

  get keyring() { return this.#keyring; }

  async addKey(kid, key) {
    return this.#keyring.add(kid, key);
  }

  // { plaintext, kid }, or throws FrameError.
  async decrypt(data) {
    this.expire();
    let header;
    try {
      header = decodeHeader(data);
    } catch (e) {
      throw new FrameError('malformed', e.message);
    }
    const lane = laneOfCtr(header.ctr);
    if (!lane) throw new FrameError('bad_lane', `CTR ${header.ctr} is in no lane`);
    if (header.kid > 0xffffffffn) throw new FrameError('unknown_kid', `KID ${header.kid} is not a 32-bit KID`);
    const kid = Number(header.kid);
    const receiver = this.#lanes[lane];
    // The keyring decides which keys live (it may have evicted one at its cap).
    if (receiver.hasKey(kid) && !this.#keyring.has(kid)) this.#forget(kid);
    if (!receiver.hasKey(kid)) {
      const key = await this.#keyring.resolve(kid);
      if (!key) throw new FrameError('unknown_kid', `no key for KID ${kid}`);
      await Promise.all([this.#lanes.key.addKey(kid, key), this.#lanes.other.addKey(kid, key)]);
    }
    let plaintext;
    try {
      plaintext = await receiver.decrypt(data);
    } catch (e) {
      const code = e instanceof SframeError ? { unknown_kid: 'unknown_kid', auth_failed: 'auth_failed', replay: 'replay' }[e.code] : null;
      throw new FrameError(code ?? 'malformed', e.message);
    }
    this.#keyring.noteDecrypted(kid);
    return { plaintext, kid };
  }

  // Drops keys whose grace ended from the keyring and the receivers.
  expire() {
    for (const kid of this.#keyring.expire()) this.#forget(kid);
  }

  wipe() {
    for (const kid of this.#keyring.wipe()) this.#forget(kid);
  }

  #forget(kid) {
    this.#lanes.key.removeKey(kid);
    this.#lanes.other.removeKey(kid);
  }
}
