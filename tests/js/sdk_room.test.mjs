// Tests for web/sdk/aegis.js's signaling logic, with stand-ins for the
// browser's WebSocket and RTCPeerConnection (Node has neither in the form the
// SDK needs). Run: node --test tests/js/
//
// Covered: which server errors settle a waiting publish (errors carry no
// request id, so an error answering some other message must not fail it);
// TURN relays from `joined` and relayOnly; setSending(): turning a kind off
// and on renegotiates the publisher with
// the transceiver inactive / sendonly, one negotiation at a time, and a
// refused turn-on leaves the kind off; shareScreen(): its own transceiver,
// stopped by stopScreenShare() or by the capture ending; resumption after
// the socket drops (the resume message, queued sends, replayed messages,
// refusal, session-ending errors, the grace period); ICE restarts (a lost
// path, a resumed socket, a socket found dead by its ping).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';

globalThis.crypto ??= webcrypto;

// The server side of one signaling socket: records what the SDK sends,
// answers `join` with `joined`, and lets the test push messages.
class FakeWebSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 3;
  static last = null;
  static joinedExtra = {};  // more members of the `joined` the next sockets answer with
  readyState = FakeWebSocket.CONNECTING;
  sent = [];

  constructor(url) {
    super();
    this.url = url;
    FakeWebSocket.last = this;
    setTimeout(() => {
      this.readyState = FakeWebSocket.OPEN;
      this.dispatchEvent(new Event('open'));
    }, 0);
  }

  send(text) {
    const msg = JSON.parse(text);
    this.sent.push(msg);
    // A dead socket (the host's address went away) neither delivers nor answers.
    if (this.dead) return;
    if (msg.type === 'ping') setTimeout(() => this.receive({ type: 'pong' }), 0);
    if (msg.type === 'join') {
      const extra = FakeWebSocket.joinedExtra;
      setTimeout(() => this.receive({ type: 'joined', participant_id: 'me', room: msg.room, participants: [], ...extra }), 0);
    }
  }

  receive(msg) {
    this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify({ v: 2, ...msg }) }));
  }

  close() {
    this.readyState = FakeWebSocket.CLOSED;
  }
}

class FakePeerConnection extends EventTarget {
  static last = null;
  static all = [];
  connectionState = 'new';
  iceConnectionState = 'new';
  iceRestarts = 0;  // restartIce() calls: the next createOffer has new credentials
  localDescription = null;
  transceivers = [];
  #senders = [];
  constructor(configuration) {
    super();
    this.configuration = configuration;
    FakePeerConnection.last = this;
    FakePeerConnection.all.push(this);
  }
  getSenders() { return this.#senders; }
  getTransceivers() { return this.transceivers; }
  addTransceiver(track, { direction = 'sendrecv' } = {}) {
    const sender = { track, async replaceTrack(t) { this.track = t; } };
    this.#senders.push(sender);
    const transceiver = { sender, direction, setCodecPreferences() {} };
    this.transceivers.push(transceiver);
    return transceiver;
  }
  async createOffer() { return { type: 'offer', sdp: `v=0 (fake offer, ICE generation ${this.iceRestarts})` }; }
  restartIce() { this.iceRestarts++; }
  // The browser's ICE agent changing state.
  setIceState(state) {
    this.iceConnectionState = state;
    this.dispatchEvent(new Event('iceconnectionstatechange'));
  }
  // As a browser does: each transceiver has its mid once it was in a local offer.
  async setLocalDescription(d) {
    this.localDescription = d;
    this.transceivers.forEach((t, i) => { t.mid ??= String(i); });
  }
  async setRemoteDescription(d) { this.remoteDescription = d; }
  setConfiguration(configuration) { this.configuration = configuration; }
  close() { this.connectionState = 'closed'; }
}

globalThis.WebSocket = FakeWebSocket;
globalThis.RTCPeerConnection = FakePeerConnection;
globalThis.RTCRtpReceiver = { getCapabilities: () => null };
globalThis.MediaStream ??= class { constructor(tracks = []) { this.tracks = tracks; } getTracks() { return this.tracks; } };

const { AegisRoom } = await import('../../web/sdk/aegis.js');

const stream = { getTracks: () => [{ kind: 'audio' }] };
// Lets every callback already queued run: the microtask queue is empty and
// pending I/O callbacks have had their turn when a setImmediate fires.
const drainMicrotasks = () => new Promise((resolve) => setImmediate(resolve));

// Waits for a condition, not a fixed time: looks again after each turn of
// the event loop (the fakes answer through setTimeout 0 and promises). The
// bound only turns a hang into a failure.
async function until(probe, what, ms = 10_000) {
  const start = performance.now();
  while (!probe()) {
    if (performance.now() - start > ms) assert.fail(`timed out waiting for ${what}`);
    await drainMicrotasks();
  }
}

// Waits until the SDK sent a publish after the first `before` messages.
const publishSent = (ws, before) =>
  until(() => ws.sent.slice(before).some((m) => m.type === 'publish'), 'the publish message');

async function joinedRoom() {
  const room = await AegisRoom.connect({ url: 'ws://fake/ws', room: 'A', token: 't' });
  const ws = FakeWebSocket.last;
  const errors = [];
  room.addEventListener('error', (e) => errors.push(e.code));
  return { room, ws, errors };
}

test('every message the SDK sends carries the protocol version, 2 (docs/protocol.md §1)', async () => {
  const { room, ws } = await joinedRoom();
  try {
    const before = ws.sent.length;
    const p = room.publish(stream);
    await publishSent(ws, before);
    ws.receive({ type: 'answer', sdp: 'v=0 (fake answer)' });
    await p;
    assert.ok(ws.sent.length >= 2);
    assert.deepEqual([...new Set(ws.sent.map((m) => m.v))], [2], JSON.stringify(ws.sent.map((m) => [m.type, m.v])));
  } finally {
    room.leave();
  }
});

// publish() -> { promise, settled() }: whether it resolved or rejected yet.
function startPublish(room) {
  const state = { done: false, value: undefined, error: undefined };
  const promise = room.publish(stream).then(
    (v) => { state.done = true; state.value = v; },
    (e) => { state.done = true; state.error = e; });
  return { promise, state };
}

test('publish (L5): errors that answer other messages (a commit that lost its epoch, ...) do not fail a waiting publish', async () => {
  const { room, ws, errors } = await joinedRoom();
  try {
    const before = ws.sent.length;
    const p = startPublish(room);
    await publishSent(ws, before);
    // An admin request naming someone who just left, and others no publish is answered with.
    for (const code of ['unknown_participant', 'invalid_field', 'rate_limited', 'not_joined', 'too_large']) {
      ws.receive({ type: 'error', code, message: 'for another message' });
    }
    await drainMicrotasks();  // the SDK handles a message synchronously; a rejection settles in microtasks
    assert.equal(p.state.done, false, 'still waiting for its answer');
    assert.deepEqual(errors, ['unknown_participant', 'invalid_field', 'rate_limited', 'not_joined', 'too_large'],
                     'each is still reported as an error event');
    ws.receive({ type: 'answer', sdp: 'v=0 (fake answer)' });
    await p.promise;
    assert.equal(p.state.error, undefined);
  } finally {
    room.leave();
  }
});

test('publish (L5): bad_sdp, forbidden and internal fail the waiting publish; with none waiting they fail nothing later', async () => {
  const { room, ws } = await joinedRoom();
  try {
    for (const code of ['bad_sdp', 'forbidden', 'internal']) {
      const before = ws.sent.length;
      const p = startPublish(room);
      await publishSent(ws, before);
      ws.receive({ type: 'error', code, message: 'refused' });
      await p.promise;
      assert.equal(p.state.error?.code, code);
    }
    // An error with no publish waiting is not kept for the next one.
    ws.receive({ type: 'error', code: 'internal', message: 'something else' });
    const before = ws.sent.length;
    const p = startPublish(room);
    await publishSent(ws, before);
    ws.receive({ type: 'answer', sdp: 'v=0 (fake answer)' });
    await p.promise;
    assert.equal(p.state.error, undefined);
  } finally {
    room.leave();
  }
});

test('publish: an error naming another request leaves it waiting; one naming it fails it, rate_limited too', async () => {
  const { room, ws } = await joinedRoom();
  try {
    const before = ws.sent.length;
    const p = startPublish(room);
    await publishSent(ws, before);
    const { id } = ws.sent.slice(before).find((m) => m.type === 'publish');
    assert.equal(typeof id, 'number', 'publish carries a request id');
    ws.receive({ type: 'error', code: 'bad_sdp', message: 'another request', re: id + 1000 });
    await drainMicrotasks();
    assert.equal(p.state.done, false, 'an error for another request id does not fail this publish');
    ws.receive({ type: 'error', code: 'rate_limited', message: 'publishing new tracks too fast', re: id });
    await until(() => p.state.done, 'the publish to fail');
    assert.equal(p.state.error?.code, 'rate_limited');
  } finally {
    room.leave();
  }
});

test('publish: the answer naming the request resolves it', async () => {
  const { room, ws } = await joinedRoom();
  try {
    const before = ws.sent.length;
    const p = startPublish(room);
    await publishSent(ws, before);
    const { id } = ws.sent.slice(before).find((m) => m.type === 'publish');
    ws.receive({ type: 'answer', sdp: 'v=0 (fake answer)', re: id });
    await p.promise;
    assert.equal(p.state.error, undefined);
  } finally {
    room.leave();
  }
});

// Answers every publish the SDK sends (after `before`) until `count` were answered.
async function answerPublishes(ws, before, count) {
  let answered = 0;
  while (answered < count) {
    const publishes = ws.sent.slice(before).filter((m) => m.type === 'publish');
    if (publishes.length > answered) {
      ws.receive({ type: 'answer', sdp: 'v=0 (fake answer)', re: publishes[answered].id });
      answered++;
    }
    await drainMicrotasks();
  }
}

test('setSending: off makes the transceiver inactive without a track and publishes that; on sends the track again', async () => {
  const { room, ws } = await joinedRoom();
  try {
    const mic = { kind: 'audio', id: 'mic' };
    let before = ws.sent.length;
    const first = room.setSending('audio', mic);
    await answerPublishes(ws, before, 1);
    await first;
    assert.equal(room.isSending('audio'), true);
    assert.equal(room.isSending('video'), false);

    before = ws.sent.length;
    const off = room.setSending('audio', null);
    await answerPublishes(ws, before, 1);
    await off;
    assert.equal(room.isSending('audio'), false, 'off');
    assert.equal(ws.sent.slice(before).filter((m) => m.type === 'publish').length, 1, 'one offer for the change');

    before = ws.sent.length;
    await room.setSending('audio', null);  // already off: nothing to negotiate
    assert.equal(ws.sent.slice(before).filter((m) => m.type === 'publish').length, 0, 'no offer for no change');

    before = ws.sent.length;
    const on = room.setSending('audio', mic);
    await answerPublishes(ws, before, 1);
    await on;
    assert.equal(room.isSending('audio'), true, 'on again, on the same transceiver');
    await assert.rejects(room.setSending('audio', { kind: 'video' }), TypeError);
    await assert.rejects(room.setSending('screen', null), TypeError);
  } finally {
    room.leave();
  }
});

test('setSending: negotiations run one at a time, in call order', async () => {
  const { room, ws } = await joinedRoom();
  try {
    const before = ws.sent.length;
    const a = room.setSending('audio', { kind: 'audio', id: 'mic' });
    const v = room.setSending('video', { kind: 'video', id: 'cam' });
    await publishSent(ws, before);
    for (let i = 0; i < 5; i++) await drainMicrotasks();
    assert.equal(ws.sent.slice(before).filter((m) => m.type === 'publish').length, 1,
                 'the second offer waits for the answer to the first');
    await answerPublishes(ws, before, 2);
    await Promise.all([a, v]);
    assert.equal(room.isSending('audio') && room.isSending('video'), true);
  } finally {
    room.leave();
  }
});

test('setSending: a turn-on the server refuses (rate_limited) rejects and leaves the kind off', async () => {
  const { room, ws } = await joinedRoom();
  try {
    const mic = { kind: 'audio', id: 'mic' };
    let before = ws.sent.length;
    const first = room.setSending('audio', mic);
    await answerPublishes(ws, before, 1);
    await first;
    before = ws.sent.length;
    const off = room.setSending('audio', null);
    await answerPublishes(ws, before, 1);
    await off;

    before = ws.sent.length;
    const on = room.setSending('audio', mic).then(() => null, (e) => e);
    await publishSent(ws, before);
    const { id } = ws.sent.slice(before).find((m) => m.type === 'publish');
    ws.receive({ type: 'error', code: 'rate_limited', message: 'offer refused: publishing new tracks too fast', re: id });
    const error = await on;
    assert.equal(error?.code, 'rate_limited');
    assert.equal(room.isSending('audio'), false, 'still off, as the server has it');
  } finally {
    room.leave();
  }
});

// A capture track as the browser hands it out: an EventTarget whose capture
// the browser can end ('ended' event, readyState 'ended').
class FakeTrack extends EventTarget {
  readyState = 'live';
  contentHint = '';
  constructor(kind, id) {
    super();
    this.kind = kind;
    this.id = id;
  }
  // What the browser does when its own "Stop sharing" button is pressed.
  endByBrowser() {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

const publishesAfter = (ws, before) => ws.sent.slice(before).filter((m) => m.type === 'publish').length;

test('shareScreen: a transceiver of its own, never the camera\'s; stopScreenShare makes it inactive; sharing again reuses it', async () => {
  const { room, ws } = await joinedRoom();
  const ended = [];
  room.addEventListener('screenshareended', (e) => ended.push(e.reason));
  try {
    const screen = new FakeTrack('video', 'screen1');
    let before = ws.sent.length;
    const share = room.shareScreen(screen);
    await answerPublishes(ws, before, 1);
    await share;
    const pc = FakePeerConnection.last;
    assert.equal(room.isSharingScreen(), true);
    assert.equal(room.isSending('video'), false, 'the screen is not the camera');
    assert.equal(screen.contentHint, 'detail', 'encoded for detail, not motion');
    assert.equal(pc.transceivers.length, 1);
    const screenTransceiver = pc.transceivers[0];
    assert.equal(screenTransceiver.direction, 'sendonly');

    // The camera comes on beside it, on a transceiver of its own; turning it off leaves the screen alone.
    const cam = new FakeTrack('video', 'cam');
    before = ws.sent.length;
    const camOn = room.setSending('video', cam);
    await answerPublishes(ws, before, 1);
    await camOn;
    assert.equal(pc.transceivers.length, 2);
    assert.equal(screenTransceiver.sender.track, screen);
    before = ws.sent.length;
    const camOff = room.setSending('video', null);
    await answerPublishes(ws, before, 1);
    await camOff;
    assert.equal(pc.transceivers[1].direction, 'inactive');
    assert.equal(screenTransceiver.direction, 'sendonly', 'turning the camera off does not stop the share');
    assert.equal(room.isSharingScreen(), true);

    before = ws.sent.length;
    const stop = room.stopScreenShare();
    await answerPublishes(ws, before, 1);
    await stop;
    assert.equal(room.isSharingScreen(), false);
    assert.equal(screenTransceiver.direction, 'inactive');
    assert.equal(screenTransceiver.sender.track, null, 'nothing of the screen is sent');
    assert.deepEqual(ended, ['stopped']);
    before = ws.sent.length;
    await room.stopScreenShare();
    assert.equal(publishesAfter(ws, before), 0, 'already stopped: no offer');

    // Sharing again: the same transceiver (with E2EE: the same sender transform and KID context).
    const screen2 = new FakeTrack('video', 'screen2');
    before = ws.sent.length;
    const again = room.shareScreen(screen2);
    await answerPublishes(ws, before, 1);
    await again;
    assert.equal(pc.transceivers.length, 2);
    assert.equal(screenTransceiver.direction, 'sendonly');
    assert.equal(screenTransceiver.sender.track, screen2);
    // Another window while sharing: swapped without an offer.
    const screen3 = new FakeTrack('video', 'screen3');
    before = ws.sent.length;
    await room.shareScreen(screen3);
    assert.equal(publishesAfter(ws, before), 0);
    assert.equal(screenTransceiver.sender.track, screen3);
    // The replaced track's end no longer stops anything.
    screen2.endByBrowser();
    for (let i = 0; i < 5; i++) await drainMicrotasks();
    assert.equal(room.isSharingScreen(), true);
    assert.equal(publishesAfter(ws, before), 0);

    await assert.rejects(room.shareScreen(new FakeTrack('audio', 'mic')), TypeError);
    const gone = new FakeTrack('video', 'gone');
    gone.readyState = 'ended';
    await assert.rejects(room.shareScreen(gone), TypeError);
  } finally {
    room.leave();
  }
});

test('shareScreen: the capture ending (the browser\'s own "Stop sharing") unpublishes the share and fires screenshareended ended', async () => {
  const { room, ws } = await joinedRoom();
  const ended = [];
  room.addEventListener('screenshareended', (e) => ended.push(e.reason));
  try {
    const screen = new FakeTrack('video', 'screen');
    let before = ws.sent.length;
    const share = room.shareScreen(screen);
    await answerPublishes(ws, before, 1);
    await share;
    before = ws.sent.length;
    screen.endByBrowser();
    await answerPublishes(ws, before, 1);
    await until(() => !room.isSharingScreen(), 'the share to stop');
    assert.deepEqual(ended, ['ended']);
    assert.equal(FakePeerConnection.last.transceivers[0].direction, 'inactive');
    assert.equal(publishesAfter(ws, before), 1, 'one offer unpublishes it');
    screen.dispatchEvent(new Event('ended'));  // a second event changes nothing
    for (let i = 0; i < 5; i++) await drainMicrotasks();
    assert.equal(publishesAfter(ws, before), 1);
    assert.deepEqual(ended, ['ended']);
  } finally {
    room.leave();
  }
});

test('shareScreen: a share the server refuses (rate_limited) rejects, shares nothing, and its track is no longer watched', async () => {
  const { room, ws } = await joinedRoom();
  const ended = [];
  room.addEventListener('screenshareended', (e) => ended.push(e.reason));
  try {
    const screen = new FakeTrack('video', 'screen');
    const before = ws.sent.length;
    const share = room.shareScreen(screen).then(() => null, (e) => e);
    await publishSent(ws, before);
    const { id } = ws.sent.slice(before).find((m) => m.type === 'publish');
    ws.receive({ type: 'error', code: 'rate_limited', message: 'offer refused: publishing new tracks too fast', re: id });
    assert.equal((await share)?.code, 'rate_limited');
    assert.equal(room.isSharingScreen(), false);
    assert.equal(FakePeerConnection.last.transceivers[0].sender.track, null);
    const after = ws.sent.length;
    screen.endByBrowser();
    for (let i = 0; i < 5; i++) await drainMicrotasks();
    assert.equal(publishesAfter(ws, after), 0);
    assert.deepEqual(ended, [], 'the caller learns of a refusal from the rejection');
  } finally {
    room.leave();
  }
});

test('shareScreen: the publish names the screen\'s section "screen" and the others camera / microphone (protocol.md §3 sources)', async () => {
  const { room, ws } = await joinedRoom();
  try {
    let before = ws.sent.length;
    const camera = room.setSending('video', new FakeTrack('video', 'cam'));
    await answerPublishes(ws, before, 1);
    await camera;
    assert.equal(ws.sent.slice(before).find((m) => m.type === 'publish').sources, undefined, 'no screen yet: no sources');
    before = ws.sent.length;
    const share = room.shareScreen(new FakeTrack('video', 'screen'));
    await answerPublishes(ws, before, 1);
    await share;
    const publish = ws.sent.slice(before).find((m) => m.type === 'publish');
    assert.deepEqual(publish.sources, { 0: 'camera', 1: 'screen' });
    before = ws.sent.length;
    const mic = room.setSending('audio', new FakeTrack('audio', 'mic'));
    await answerPublishes(ws, before, 1);
    await mic;
    assert.deepEqual(ws.sent.slice(before).find((m) => m.type === 'publish').sources, { 0: 'camera', 1: 'screen', 2: 'microphone' });
    // Stopped: its section sends nothing and is not named.
    before = ws.sent.length;
    const stop = room.stopScreenShare();
    await answerPublishes(ws, before, 1);
    await stop;
    assert.deepEqual(ws.sent.slice(before).find((m) => m.type === 'publish').sources, { 0: 'camera', 2: 'microphone' });
  } finally {
    room.leave();
  }
});

// A subscriber offer's section as the server writes it: a=mid, a=msid:<publisher> <track id>.
const subscriberSdp = (sections) => 'v=0\r\n' + sections.map(([mid, kind, participant, trackId]) =>
  `m=${kind} 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:${mid}\r\na=msid:${participant} ${trackId}\r\n`).join('');

function remoteTrack(subscriber, { mid, kind, participantId, id }) {
  const track = { id, kind };
  const receiver = {};
  const stream = { id: participantId, addEventListener() {} };
  subscriber.dispatchEvent(Object.assign(new Event('track'), { track, receiver, streams: [stream], transceiver: { mid } }));
  return track;
}

test('sourceOf: a remote track takes the source its publisher signalled (participant tracks, track_published), matched by the msid track id', async () => {
  const room = await AegisRoom.connect({ url: 'ws://fake/ws', room: 'A', token: 't' });
  const ws = FakeWebSocket.last;
  const subscriber = FakePeerConnection.all.at(-1);
  try {
    const tracks = [];
    const sources = [];
    room.addEventListener('track', (e) => tracks.push([e.track.id, e.source]));
    room.addEventListener('tracksource', (e) => sources.push([e.participantId, e.track.id, e.source]));
    const published = [];
    room.addEventListener('trackpublished', (e) => published.push([e.trackId, e.source]));
    ws.receive({ type: 'participant_joined', participant: { id: 'pA', name: 'A', tracks: [
      { id: 't1', kind: 'video', source: 'camera' }, { id: 't2', kind: 'audio', source: 'microphone' }] } });
    ws.receive({ type: 'track_published', participant_id: 'pA', track_id: 't3', kind: 'video', source: 'screen' });
    ws.receive({ type: 'track_published', participant_id: 'pA', track_id: 't4', kind: 'video', source: 'bogus' });
    assert.deepEqual(published, [['t3', 'screen'], ['t4', null]]);
    assert.deepEqual(room.getParticipant('pA').tracks, [
      { id: 't1', kind: 'video', source: 'camera' }, { id: 't2', kind: 'audio', source: 'microphone' },
      { id: 't3', kind: 'video', source: 'screen' }, { id: 't4', kind: 'video', source: null }]);
    // The browser's track ids are its own; the msid names the server's.
    subscriber.remoteDescription = { type: 'offer', sdp: subscriberSdp([
      ['0', 'video', 'pA', 't1'], ['1', 'video', 'pA', 't3'], ['2', 'video', 'pA', 't5']]) };
    const camera = remoteTrack(subscriber, { mid: '0', kind: 'video', participantId: 'pA', id: 'browser-a' });
    const screen = remoteTrack(subscriber, { mid: '1', kind: 'video', participantId: 'pA', id: 'browser-b' });
    const later = remoteTrack(subscriber, { mid: '2', kind: 'video', participantId: 'pA', id: 'browser-c' });
    assert.deepEqual(tracks, [['browser-a', 'camera'], ['browser-b', 'screen'], ['browser-c', null]]);
    assert.equal(room.sourceOf(camera), 'camera');
    assert.equal(room.sourceOf(screen), 'screen');
    assert.equal(room.sourceOf(later), null, 'not announced yet');
    // Announced after its section arrived: tracksource.
    ws.receive({ type: 'track_published', participant_id: 'pA', track_id: 't5', kind: 'video', source: 'screen' });
    assert.equal(room.sourceOf(later), 'screen');
    assert.deepEqual(sources, [['pA', 'browser-c', 'screen']]);
    // Another participant cannot name pA's track.
    ws.receive({ type: 'track_published', participant_id: 'pB', track_id: 't1', kind: 'video', source: 'screen' });
    assert.equal(room.sourceOf(camera), 'camera');
    ws.receive({ type: 'track_unpublished', participant_id: 'pA', track_id: 't3' });
    assert.deepEqual(room.getParticipant('pA').tracks.map((t) => t.id), ['t1', 't2', 't4', 't5']);
  } finally {
    room.leave();
  }
});

test('TURN relays from joined reach both connections; relayOnly keeps media on them, and fails without one', async () => {
  const relay = { urls: ['turn:198.51.100.9:3478?transport=udp'], username: '1700003600:alice', credential: 'c+/=' };
  FakeWebSocket.joinedExtra = { ice_servers: [relay] };
  try {
    const room = await AegisRoom.connect({ url: 'ws://fake/ws', room: 'A', token: 't', relayOnly: true });
    const subscriber = FakePeerConnection.last;  // made before joining, configured on `joined`
    assert.deepEqual(subscriber.configuration.iceServers, [relay]);
    assert.equal(subscriber.configuration.iceTransportPolicy, 'relay');
    const ws = FakeWebSocket.last;
    const before = ws.sent.length;
    room.publish(stream).catch(() => {});
    await publishSent(ws, before);
    const publisher = FakePeerConnection.last;
    assert.notEqual(publisher, subscriber);
    assert.deepEqual(publisher.configuration.iceServers, [relay]);
    assert.equal(publisher.configuration.iceTransportPolicy, 'relay');

    room.leave();

    // Without relayOnly the relays are offered, not forced.
    const offered = await AegisRoom.connect({ url: 'ws://fake/ws', room: 'A', token: 't' });
    assert.deepEqual(FakePeerConnection.last.configuration.iceServers, [relay]);
    assert.equal(FakePeerConnection.last.configuration.iceTransportPolicy, undefined);
    offered.leave();

    // A relay-only room (the server says relay_only) forces it.
    FakeWebSocket.joinedExtra = { ice_servers: [relay], relay_only: true };
    const forced = await AegisRoom.connect({ url: 'ws://fake/ws', room: 'A', token: 't' });
    assert.equal(FakePeerConnection.last.configuration.iceTransportPolicy, 'relay');
    forced.leave();

    FakeWebSocket.joinedExtra = {};
    await assert.rejects(AegisRoom.connect({ url: 'ws://fake/ws', room: 'A', token: 't', relayOnly: true }),
                         (e) => e.code === 'relay_unavailable');
  } finally {
    FakeWebSocket.joinedExtra = {};
  }
});


// Resumption (docs/protocol.md §1c): the socket drops, the SDK resumes the
// session on a new one with the last seq it read, and what the server
// replays is handled as if it had never left.
async function resumableRoom(graceS = 15) {
  FakeWebSocket.joinedExtra = { seq: 1, resume: { token: 'secretResumeToken', grace_s: graceS } };
  try {
    return await joinedRoom();
  } finally {
    FakeWebSocket.joinedExtra = {};
  }
}
const drop = (ws) => {
  ws.readyState = FakeWebSocket.CLOSED;
  ws.dispatchEvent(Object.assign(new Event('close'), { code: 1006 }));
};

test('resume: a dropped socket is resumed with the last seq read; queued messages go after, replayed ones are handled', async () => {
  const { room, ws } = await resumableRoom();
  try {
    assert.equal(ws.sent.find((m) => m.type === 'join').resumable, true);
    const events = [];
    for (const type of ['reconnecting', 'reconnected', 'closed']) room.addEventListener(type, (e) => events.push([type, e.replayed]));
    ws.receive({ seq: 2, type: 'participant_joined', participant: { id: 'p2', name: 'B' } });
    drop(ws);
    assert.deepEqual(events, [['reconnecting', undefined]]);
    assert.equal(room.reconnecting, true);
    // Sent while away: queued, with the token a resume presents from now on.
    await room.refreshToken('fresh.token.value');
    await until(() => FakeWebSocket.last !== ws && FakeWebSocket.last.sent.length > 0, 'the resume');
    const ws2 = FakeWebSocket.last;
    assert.deepEqual(ws2.sent, [{ v: 2, type: 'resume', room: 'A', token: 'fresh.token.value', participant_id: 'me',
      resume_token: 'secretResumeToken', last_seq: 2 }]);
    ws2.receive({ type: 'resumed', participant_id: 'me', replayed: 1 });
    ws2.receive({ seq: 3, type: 'participant_joined', participant: { id: 'p3', name: 'C' } });
    await until(() => events.length === 2, 'reconnected');
    assert.deepEqual(events[1], ['reconnected', 1]);
    assert.equal(room.reconnecting, false);
    assert.deepEqual(room.participants.map((p) => p.id).sort(), ['p2', 'p3']);
    // The queued refresh, then the subscriber's ICE restart (the network may
    // have changed; there is no publisher connection to restart).
    assert.deepEqual(ws2.sent.slice(1).map((m) => [m.type, m.token]),
      [['refresh', 'fresh.token.value'], ['restart_ice', undefined]]);
    // Dropped again later: the next resume names the newest seq.
    drop(ws2);
    await until(() => FakeWebSocket.last !== ws2 && FakeWebSocket.last.sent.length > 0, 'the second resume');
    assert.equal(FakeWebSocket.last.sent[0].last_seq, 3);
    FakeWebSocket.last.receive({ type: 'resumed', participant_id: 'me', replayed: 0 });
    await until(() => events.length === 3, 'reconnected again');
  } finally {
    room.leave();
  }
});

test('resume: refused (resume_failed) closes the room with that error, and is not retried', async () => {
  const { room, ws } = await resumableRoom();
  const closed = [];
  room.addEventListener('closed', (e) => closed.push(e.error?.code));
  drop(ws);
  await until(() => FakeWebSocket.last !== ws && FakeWebSocket.last.sent.length > 0, 'the resume');
  const ws2 = FakeWebSocket.last;
  ws2.receive({ type: 'error', code: 'resume_failed', message: 'no session to resume: join again' });
  await until(() => closed.length === 1, 'closed');
  assert.deepEqual(closed, ['resume_failed']);
  await new Promise((r) => setTimeout(r, 1_200));
  assert.equal(FakeWebSocket.last, ws2, 'no further attempt');
});

test('resume: after a session-ending error (kicked, ...) or without a resume secret, a dropped socket closes the room', async () => {
  const { room, ws } = await resumableRoom();
  const closed = [];
  room.addEventListener('closed', (e) => closed.push(e.error?.code));
  ws.receive({ type: 'error', code: 'kicked', message: 'a room admin removed you' });
  drop(ws);
  assert.deepEqual(closed, ['kicked']);
  assert.equal(FakeWebSocket.last, ws, 'no resume attempt');

  const plain = await joinedRoom();  // joined without `resume`
  const closedPlain = [];
  plain.room.addEventListener('closed', (e) => closedPlain.push(e.reason));
  drop(plain.ws);
  assert.deepEqual(closedPlain, ['connection_closed']);
  assert.equal(FakeWebSocket.last, plain.ws);
});

test('resume: attempts stop when the grace period is over', async () => {
  const { room, ws } = await resumableRoom(1);
  const closed = [];
  room.addEventListener('closed', (e) => closed.push(e.reason));
  drop(ws);
  // Every attempt's socket closes at once, as when the server is unreachable.
  const attempts = new Set();
  await until(() => {
    const last = FakeWebSocket.last;
    if (last !== ws && !attempts.has(last) && last.readyState === FakeWebSocket.OPEN) {
      attempts.add(last);
      drop(last);
    }
    return closed.length === 1;
  }, 'closed after the grace period', 5_000);
  assert.deepEqual(closed, ['connection_closed']);
  assert.ok(attempts.size >= 1 && attempts.size <= 2, `${attempts.size} attempts in 1 s`);
});

test('resume: leave() while reconnecting resumes on one more socket only to say leave', async () => {
  const { room, ws } = await resumableRoom();
  drop(ws);
  await until(() => FakeWebSocket.last !== ws && FakeWebSocket.last.sent.length > 0, 'the resume attempt');
  const attempt = FakeWebSocket.last;
  room.leave();
  await until(() => FakeWebSocket.last !== attempt && FakeWebSocket.last.sent.length > 0, 'the resume to leave');
  const last = FakeWebSocket.last;
  assert.equal(last.sent[0].type, 'resume');
  last.receive({ type: 'resumed', participant_id: 'me', replayed: 0 });
  assert.deepEqual(last.sent.map((m) => m.type), ['resume', 'leave']);
  assert.equal(last.readyState, FakeWebSocket.CLOSED);
});

// ICE restarts (docs/protocol.md §2, web/sdk/ice_recovery.js).
const typesAfter = (ws, before) => ws.sent.slice(before).map((m) => m.type);

// A resumable room that published (answered): both connections exist.
async function publishingRoom() {
  const { room, ws } = await resumableRoom();
  const before = ws.sent.length;
  const p = startPublish(room);
  await answerPublishes(ws, before, 1);
  await p.promise;
  return { room, ws, publisher: FakePeerConnection.all.at(-1), subscriber: FakePeerConnection.all.at(-2) };
}

test('ICE restart: a connection that lost its path is restarted (publisher: restartIce and a new offer; subscriber: restart_ice), at most once per 2 s', async () => {
  const { room, ws, publisher, subscriber } = await publishingRoom();
  try {
    assert.notEqual(publisher, subscriber);
    const mark = ws.sent.length;
    publisher.setIceState('checking');
    publisher.setIceState('connected');
    subscriber.setIceState('connected');
    assert.deepEqual(typesAfter(ws, mark), [], 'nothing while the paths work');

    subscriber.setIceState('disconnected');
    assert.deepEqual(typesAfter(ws, mark), ['restart_ice']);
    subscriber.setIceState('failed');
    assert.deepEqual(typesAfter(ws, mark), ['restart_ice'], 'no second restart within 2 s');

    publisher.setIceState('disconnected');
    await answerPublishes(ws, mark, 1);
    assert.equal(publisher.iceRestarts, 1);
    const offer = ws.sent.slice(mark).find((m) => m.type === 'publish');
    assert.match(offer.sdp, /ICE generation 1/, 'the offer made after restartIce()');
  } finally {
    room.leave();
  }
});

test('ICE restart: a lost path whose socket is dead too (heartbeat: silent 3 s): resumed on a new socket, the lost restart offer sent again, the subscriber restarted', async () => {
  const { room, ws, publisher, subscriber } = await publishingRoom();
  try {
    const events = [];
    for (const type of ['reconnecting', 'reconnected']) room.addEventListener(type, () => events.push(type));
    const mark = ws.sent.length;
    ws.dead = true;
    publisher.setIceState('disconnected');  // its restart offer goes into the dead socket
    await until(() => ws.sent.slice(mark).some((m) => m.type === 'publish'), 'the restart offer');
    const lost = ws.sent.slice(mark).find((m) => m.type === 'publish');
    await until(() => FakeWebSocket.last !== ws && FakeWebSocket.last.sent.length > 0, 'the resume', 5_000);
    assert.deepEqual(events, ['reconnecting']);
    const ws2 = FakeWebSocket.last;
    assert.equal(ws2.sent[0].type, 'resume');
    // The server replays one message it sent meanwhile (not the answer: it
    // never got the offer).
    ws2.receive({ type: 'resumed', participant_id: 'me', replayed: 1 });
    await until(() => events.length === 2, 'reconnected');
    // The subscriber restarts; the publisher's new restart waits for the
    // lost one to be answered.
    assert.deepEqual(typesAfter(ws2, 1), ['restart_ice']);
    ws2.receive({ seq: 9, type: 'participant_joined', participant: { id: 'p9', name: 'N' } });
    await until(() => typesAfter(ws2, 1).includes('publish'), 'the lost offer sent again');
    const again = ws2.sent.find((m) => m.type === 'publish');
    assert.deepEqual(again, lost, 'the same offer, the same request id');
    assert.match(again.sdp, /ICE generation 1/);
    ws2.receive({ type: 'answer', sdp: 'v=0 (fake answer)', re: again.id });
    // Then the restart the resume asked for (the path may have changed again).
    await until(() => ws2.sent.filter((m) => m.type === 'publish').length === 2, 'the second restart offer');
    assert.match(ws2.sent.filter((m) => m.type === 'publish')[1].sdp, /ICE generation 2/);
  } finally {
    room.leave();
  }
});

test('resume: a publish answered in the replay is not sent again', async () => {
  const { room, ws } = await resumableRoom();
  try {
    const before = ws.sent.length;
    const p = startPublish(room);
    await publishSent(ws, before);
    const { id } = ws.sent.slice(before).find((m) => m.type === 'publish');
    drop(ws);
    await until(() => FakeWebSocket.last !== ws && FakeWebSocket.last.sent.length > 0, 'the resume');
    const ws2 = FakeWebSocket.last;
    ws2.receive({ type: 'resumed', participant_id: 'me', replayed: 1 });
    ws2.receive({ seq: 2, type: 'answer', sdp: 'v=0 (fake answer)', re: id });
    await p.promise;
    assert.equal(p.state.error, undefined);
    await drainMicrotasks();
    // (The publish that follows is the resume's ICE restart, a new request.)
    assert.equal(ws2.sent.filter((m) => m.type === 'publish' && m.id === id).length, 0);
  } finally {
    room.leave();
  }
});

test('heartbeat: a ping after 1.5 s of silence; a live socket answers and stays', async () => {
  const { room, ws } = await resumableRoom();
  try {
    const mark = ws.sent.length;
    await new Promise((r) => setTimeout(r, 3_600));
    const pings = typesAfter(ws, mark).filter((t) => t === 'ping').length;
    assert.ok(pings >= 1 && pings <= 2, `${pings} pings in 3.6 s`);
    assert.equal(FakeWebSocket.last, ws, 'no resume: the pongs came');
    assert.equal(room.reconnecting, false);
  } finally {
    room.leave();
  }
});
