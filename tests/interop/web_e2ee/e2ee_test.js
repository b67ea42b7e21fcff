// Test-only page script (chromium_e2ee.mjs drives it): joins with the real
// SDK and test hooks on, publishes the fake camera and microphone, plays
// what arrives, and exposes window.e2eeTest. The shipped app has no test
// switch; the key export exists only because this page asks for it.
//   e2ee_test.html?room=E&token=JWT&e2ee=1[&suite=1|83][&media=audio]
// suite: the MLS cipher suite to join with (the server's --mls-suite);
// media=audio publishes the microphone only, media=none nothing (benchmarks
// with many pages).
// state.firstEpochMs / firstDecryptMs: from `joined` to being in the group,
// and to the first remote frame decrypted.
import { AegisRoom } from './sdk/aegis.js';

const params = new URLSearchParams(location.search);
const state = {
  phase: 'idle', error: null, selfId: null, firstDecryptMs: null, firstEpochMs: null, codeHistory: [], statusHistory: [], e2eeErrors: [], chat: [],
  // Which encoded-transform API the SDK will use (the test hides the
  // standard one from one participant to cover the fallback).
  transformApi: typeof RTCRtpScriptTransform === 'function' ? 'RTCRtpScriptTransform' : 'createEncodedStreams',
};
let room = null;
let stream = null;
const elements = new Map();  // track -> media element

function setPhase(phase) {
  state.phase = phase;
  document.getElementById('phase').textContent = phase;
}

function play(track, participantId) {
  const el = document.createElement(track.kind === 'video' ? 'video' : 'audio');
  el.autoplay = true;
  el.playsInline = true;
  el.dataset.participantId = participantId ?? '';
  el.srcObject = new MediaStream([track]);
  document.getElementById('media').append(el);
  el.play().catch(() => {});
  elements.set(track, el);
}

// Polls the worker's counters every 10 ms (for 30 s at most) until a remote
// frame has been decrypted.
function watchFirstDecrypt(joinedAt) {
  const timer = setInterval(async () => {
    if (performance.now() - joinedAt > 30_000) return clearInterval(timer);
    const stats = await room.e2ee.getE2eeStats();
    const any = Object.entries(stats).some(([id, s]) => id !== room.participantId && s.decryptedFrames > 0);
    if (any && state.firstDecryptMs === null) {
      state.firstDecryptMs = Math.round(performance.now() - joinedAt);
      clearInterval(timer);
    }
  }, 10);
}

async function run() {
  setPhase('joining');
  try {
    room = await AegisRoom.connect({
      room: params.get('room'), token: params.get('token'), e2ee: params.get('e2ee') !== '0', testHooks: true,
      mlsSuite: params.has('suite') ? Number(params.get('suite')) : undefined,
    });
  } catch (e) {
    state.error = { code: e.code ?? 'exception', message: e.message };
    setPhase('error');
    return;
  }
  state.selfId = room.participantId;
  const joinedAt = performance.now();
  if (room.e2ee) watchFirstDecrypt(joinedAt);
  room.addEventListener('roomcodechange', (e) => {
    state.codeHistory.push({ at: Date.now(), code: e.code, epoch: e.epoch });
    state.firstEpochMs ??= Math.round(performance.now() - joinedAt);
  });
  room.addEventListener('e2eestatus', (e) => state.statusHistory.push({ at: Date.now(), encrypted: e.encrypted, reason: e.reason }));
  room.addEventListener('e2eeerror', (e) => state.e2eeErrors.push({ code: e.code, participantId: e.participantId ?? null, message: e.message }));
  room.addEventListener('chatmessage', (e) => state.chat.push({ at: Date.now(), from: e.participantId, identity: e.identity, text: e.text }));
  room.addEventListener('track', (e) => play(e.track, e.participantId));
  room.addEventListener('trackremoved', (e) => {
    elements.get(e.track)?.remove();
    elements.delete(e.track);
  });
  room.addEventListener('error', (e) => { state.error = { code: e.code, message: e.message }; });
  setPhase('joined');
  if (params.get('media') === 'none') return;  // receive only
  stream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: params.get('media') === 'audio' ? false : { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } },
  });
  await room.publish(stream);
  setPhase('publishing');
}

window.e2eeTest = {
  state: () => JSON.parse(JSON.stringify(state)),
  participants: () => (room ? room.participants.map((p) => p.id) : []),
  roomCode: () => room?.e2ee?.roomCode() ?? null,
  epoch: () => room?.e2ee?.epoch() ?? null,
  roster: () => room?.e2ee?.roster() ?? null,
  pairwiseCode: (participantId) => room.e2ee.pairwiseCode(participantId),
  sendChat: (text) => room.e2ee.sendChat(text),
  status: () => room?.e2ee?.status() ?? null,
  counters: () => room?.e2ee?.counters() ?? null,
  stats: async () => (room ? { remote: await room.getRemoteStats(), e2ee: await room.getE2eeStats() } : null),
  exportKeys: () => room.e2ee.exportKeyStateForTesting(),
  leave: () => {
    room?.leave();
    for (const t of stream?.getTracks() ?? []) t.stop();
    setPhase('left');
  },
};

run().catch((e) => {
  state.error = { code: 'exception', message: e.message };
  setPhase('error');
});
