// SFrame frames keyed from the MLS group's epochs (web/sdk/e2ee_frames.js,
// docs/e2ee.md §2): KID layout, lanes, sender and kind binding, epochs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const {
  EpochKeys, TrackEncryptor, SenderDecryptor, FrameError, laneOfCtr, OLD_EPOCH_GRACE_MS,
} = await import('../../web/sdk/e2ee_frames.js');
const { decodeHeader } = await import('../../web/sdk/sframe.js');

const baseKey = (seed) => Uint8Array.from({ length: 16 }, (_, i) => (seed * 31 + i) & 0xff);
const frame = (n) => Uint8Array.from({ length: 40 }, (_, i) => (n + i) & 0xff);

function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

async function rejects(promise, code) {
  await assert.rejects(promise, (e) => e instanceof FrameError && e.code === code, `expected ${code}`);
}

test('round trip; keyframes and other frames use the two CTR lanes; tracks of one sender never share a KID', async () => {
  const epochs = new EpochKeys();
  epochs.install(7, baseKey(7));
  const audio = new TrackEncryptor({ kind: 'audio', context: 0 });
  const video = new TrackEncryptor({ kind: 'video', context: 1 });
  await audio.setEpoch(7, baseKey(7), 3);
  await video.setEpoch(7, baseKey(7), 3);
  assert.notEqual(audio.kid, video.kid);
  const dec = new SenderDecryptor(epochs);
  dec.setLeaf(3);
  const key = await video.encrypt(frame(1), true);
  const delta = await video.encrypt(frame(2), false);
  assert.equal(laneOfCtr(decodeHeader(key).ctr), 'key');
  assert.equal(key[0] & 1, 0);    // VP8's "keyframe" bit
  assert.equal(laneOfCtr(decodeHeader(delta).ctr), 'other');
  assert.equal(delta[0] & 1, 1);
  assert.deepEqual((await dec.decrypt(key, 'video')).plaintext, frame(1));
  const out = await dec.decrypt(delta, 'video');
  assert.deepEqual(out.plaintext, frame(2));
  assert.equal(out.epoch, 7);
  assert.deepEqual((await dec.decrypt(await audio.encrypt(frame(3), false), 'audio')).plaintext, frame(3));
  await rejects(dec.decrypt(delta, 'video'), 'replay');
});

test('a frame moved to another participant\'s track or to the sender\'s other kind is refused', async () => {
  const epochs = new EpochKeys();
  epochs.install(1, baseKey(1));
  const enc = new TrackEncryptor({ kind: 'audio', context: 0 });
  await enc.setEpoch(1, baseKey(1), 2);
  const bob = new SenderDecryptor(epochs);
  bob.setLeaf(5);  // the track the server claims is Bob's; the frame is leaf 2's
  await rejects(bob.decrypt(await enc.encrypt(frame(1), false), 'audio'), 'wrong_sender');
  const alice = new SenderDecryptor(epochs);
  alice.setLeaf(2);
  await rejects(alice.decrypt(await enc.encrypt(frame(2), false), 'video'), 'auth_failed');
  const notMember = new SenderDecryptor(epochs);
  await rejects(notMember.decrypt(await enc.encrypt(frame(3), false), 'audio'), 'unknown_kid');
});

test('a member without the new epoch (removed) cannot open its frames; an old epoch stops opening 2 s after a newer one', async () => {
  const c = clock();
  const stayer = new EpochKeys({ now: c.now });
  const leaver = new EpochKeys({ now: c.now });
  stayer.install(4, baseKey(4));
  leaver.install(4, baseKey(4));
  stayer.install(5, baseKey(5));  // the commit that removed the leaver
  const enc = new TrackEncryptor({ kind: 'video', context: 1 });
  await enc.setEpoch(4, baseKey(4), 0);
  const oldFrame = await enc.encrypt(frame(1), false);
  const oldFrame2 = await enc.encrypt(frame(2), false);
  await enc.setEpoch(5, baseKey(5), 0);
  const newFrame = await enc.encrypt(frame(3), false);

  const atLeaver = new SenderDecryptor(leaver);
  atLeaver.setLeaf(0);
  await rejects(atLeaver.decrypt(newFrame, 'video'), 'unknown_kid');

  const atStayer = new SenderDecryptor(stayer);
  atStayer.setLeaf(0);
  assert.deepEqual((await atStayer.decrypt(newFrame, 'video')).plaintext, frame(3));
  assert.deepEqual((await atStayer.decrypt(oldFrame, 'video')).plaintext, frame(1));  // in flight
  c.advance(OLD_EPOCH_GRACE_MS);
  await rejects(atStayer.decrypt(oldFrame2, 'video'), 'unknown_kid');
  assert.deepEqual(stayer.live, [5]);
});

test('a joiner that holds only later epochs opens none of the earlier frames', async () => {
  const joiner = new EpochKeys();
  joiner.install(9, baseKey(9));
  const enc = new TrackEncryptor({ kind: 'audio', context: 0 });
  await enc.setEpoch(8, baseKey(8), 1);
  const dec = new SenderDecryptor(joiner);
  dec.setLeaf(1);
  await rejects(dec.decrypt(await enc.encrypt(frame(1), false), 'audio'), 'unknown_kid');
  // 16 epochs later the low bits repeat: the old epoch's frames fail authentication.
  await enc.setEpoch(25, baseKey(25), 1);
  const later = await enc.encrypt(frame(2), false);
  const old = new TrackEncryptor({ kind: 'audio', context: 0 });
  await old.setEpoch(9, baseKey(9), 1);
  const frameOf9 = await old.encrypt(frame(3), false);
  joiner.install(25, baseKey(25));  // same low bits as 9: 9 is gone at once
  // Same KID and CTR as `later` (both encryptors start their lane at its
  // first value): opened first, so the replay window does not answer for it.
  await rejects(dec.decrypt(frameOf9, 'audio'), 'auth_failed');
  assert.deepEqual((await dec.decrypt(later, 'audio')).plaintext, frame(2));
});

test('epochs only move forward; installing another epoch keeps the replay window of a live one', async () => {
  const epochs = new EpochKeys();
  assert.equal(epochs.install(3, baseKey(3)), true);
  assert.equal(epochs.install(3, baseKey(99)), false);
  assert.equal(epochs.install(2, baseKey(2)), false);
  const enc = new TrackEncryptor({ kind: 'audio', context: 0 });
  await enc.setEpoch(3, baseKey(3), 0);
  const f = await enc.encrypt(frame(1), false);
  const dec = new SenderDecryptor(epochs);
  dec.setLeaf(0);
  await dec.decrypt(f, 'audio');
  epochs.install(4, baseKey(4));  // epoch 3 is superseded but still in its grace
  await rejects(dec.decrypt(f, 'audio'), 'replay');
});
