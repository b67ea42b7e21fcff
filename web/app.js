// The Aegis meeting app: a pre-join check (camera preview, microphone level,
// devices), the call (a grid or speaker view of tiles with names, mute and
// camera state, who is speaking and a connection indicator), an invite link,
// the call-quality panel, and the end-to-end encryption panel and chat. Runs
// under the server's strict CSP: no inline script or style, names rendered
// with textContent.
//
// URL parameters (handy for links and for the browser tests):
//   ?room=A&name=Ada&token=JWT&autojoin=1&video=low&e2ee=1
// Without a token the page asks POST /api/dev-token (loopback servers only).
// autojoin=1 joins at once, without the pre-join check, and then opens the
// camera and microphone. e2ee=1|0 sets the "End-to-end encrypt" box (on by
// default). In an encrypted call the page shows the room code and the
// members of the encrypted group with their verification marks
// (docs/e2ee.md §5), a lock that says "encrypted" only when the SDK reports
// every playing track decrypting under the group's current keys
// (docs/e2ee.md §6), and the end-to-end encrypted chat.
//
// Microphone and camera state reach the others as publishing: turning one
// off unpublishes that track, turning it on publishes it again
// (AegisRoom.setSending), so every tile's icons follow the server's
// track_published / track_unpublished, never a guess from silence.
//
// Screen sharing: "Share screen" sends a window or screen as a second video
// track (AegisRoom.shareScreen); the others show it large with the
// presenter's camera small. It stops from the same button or from the
// browser's own "Stop sharing" control. The others recognise the screen from
// signaling (the publish names its source, docs/protocol.md §3); in an end
// to end encrypted call its frames say so too, and where they disagree the
// SDK trusts the frames (an e2eeerror 'source_mismatch', shown here).
import { AegisError, AegisRoom } from './sdk/aegis.js';
import { audioConstraints, describeMediaError, openMedia, store, videoConstraints } from './ui_media.js';
import { PreJoin } from './ui_prejoin.js';
import { CallMonitor, StatsPanel } from './ui_stats.js';
import { placeVideos } from './ui_layout.js';
import { Stage } from './ui_tiles.js';

const $ = (id) => document.getElementById(id);

const kVideo = {
  normal: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } },
  // Several participants on one small machine (the browser tests).
  low: { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } },
};
// Side panel open by default on screens at least this wide.
const kSideDefaultMinWidth = 1100;

// What to do next, per error code (the message says what happened).
const kNextStep = {
  unauthorized: 'The server refused the access token (expired, revoked or for another room). Ask for a new link or token and join again.',
  no_token: 'Paste an access token under "Access token" (aegis token create), or ask whoever runs the server for a link.',
  invalid_room: 'Use letters, digits, _ and - only, up to 64 characters.',
  e2ee_required: 'This room admits only end-to-end encrypted calls: tick "End-to-end encrypt" and join again.',
  e2ee_unsupported: 'This browser cannot encrypt calls end to end: use a current Chromium, Chrome, Edge, Firefox or Safari.',
  room_full: 'The room or the server is full: try again in a little while.',
  room_locked: 'A room admin locked the room: ask them to unlock it, then join again.',
  denied: 'A room admin did not let you in.',
  kicked: 'A room admin removed you from the call.',
  room_ended: 'A room admin ended the meeting for everyone.',
  replaced: 'You joined this room again from another tab or device, so this one was closed.',
  token_expired: 'Your access token expired: get a new one and join again.',
  revoked: 'Your access was revoked. Ask whoever runs the server.',
  rate_limited: 'Too many requests at once: wait a few seconds and try again.',
  shutting_down: 'The server is restarting: join again in a minute.',
  connection_closed: 'Check your network connection and that the server is running, then join again.',
  connection_failed: 'Check your network connection and that the server is running, then join again.',
  timeout: 'The server did not answer: check your connection and join again.',
  publish_failed: 'Your camera and microphone could not be sent: leave and join again.',
  negotiation_failed: 'The media connection failed: leave and join again.',
};

let state = 'idle';  // idle | joining | joined | error | left
let room = null;
let videoQuality = 'normal';
let lastJoin = null;  // the options of the last join, for "Rejoin"
let localAudio = null;  // the microphone track (kept while muted)
let localVideo = null;  // the camera track (stopped while the camera is off)
let localScreen = null;  // the screen track while sharing
const e2eeErrorCodes = [];  // every e2eeerror's code, for the browser tests
// Remote participant id -> its video tracks [{ track, source }], oldest first.
const remoteVideos = new Map();
let speakerId = '';
let monitor = null;
let unread = 0;
const switching = { audio: false, video: false, screen: false };
// A room admin's mute of this participant (the server forwards none of it).
const adminMuted = { audio: false, video: false };

const stage = new Stage($('tiles'), $('tile-template'), $('self'), { onChange: () => showCount() });
const statsPanel = new StatsPanel($('stats-list'), $('stats-template'));
let prejoin = null;
// Joined from an autojoin link: no pre-join check (it does not start after an error either).
let autojoined = false;

function setState(next) {
  state = next;
  document.body.dataset.state = next;
}

function setStatus(text) {
  $('status').textContent = text;
}

function showError(code, message) {
  const el = $('error');
  const what = document.createElement('span');
  what.className = 'err-text';
  what.textContent = `${code}: ${message}`;
  el.replaceChildren(what);
  if (kNextStep[code]) {
    const next = document.createElement('span');
    next.className = 'err-next';
    next.textContent = kNextStep[code];
    el.append(/[.!?]$/.test(message) ? ' ' : '. ', next);
  }
  el.dataset.code = code;
  el.hidden = false;
}

function clearError() {
  const el = $('error');
  el.hidden = true;
  el.replaceChildren();
  delete el.dataset.code;
}

function showNotice(text) {
  $('notice').textContent = text;
  $('notice').hidden = !text;
}

function showScreen(which) {
  $('prejoin').hidden = which !== 'prejoin';
  $('call').hidden = which !== 'call';
  $('left-screen').hidden = which !== 'left';
}

// "standup · 3 people · Aegis"
function showCount() {
  const n = room && state === 'joined' ? room.participants.length + 1 : 0;
  const people = `${n} ${n === 1 ? 'person' : 'people'}`;
  $('bar-count').textContent = n ? people : '';
  document.title = room && state === 'joined' ? `${room.roomId} · ${people} · Aegis` : 'Aegis';
}

// --- end-to-end encryption ------------------------------------------------

function setLock(encrypted, text) {
  $('e2ee-lock').dataset.encrypted = String(encrypted);
  $('e2ee-lock-text').textContent = text;
}

function showE2eeStatus(status) {
  setLock(status.encrypted, status.encrypted ? 'End-to-end encrypted' : `Not end-to-end encrypted: ${status.reason}`);
}

// 30 digits in groups of five; screen readers get the groups one by one.
function showCode(el, code) {
  el.textContent = code ?? '';
  el.setAttribute('aria-label', code ? `Code ${code.split(' ').join(', ')}` : 'No code');
}

function showRoomCode(code) {
  showCode($('room-code'), code);
  $('code-box').hidden = !code;
}

let verifying = null;  // participant id whose pairwise code is shown

// The MLS group's members as the app lists them: names are other people's
// (text only), each with its verification mark; everyone in the call who is
// not in the group is listed as not encrypted.
function showRoster(roster) {
  const list = $('roster');
  list.replaceChildren();
  const members = roster?.members ?? [];
  $('roster-title').hidden = members.length === 0;
  for (const m of members) {
    const li = $('roster-template').content.firstElementChild.cloneNode(true);
    li.querySelector('.name').textContent = m.self ? `${m.name || m.identity} (you)` : (m.name || m.identity || `member ${m.leaf}`);
    const mark = m.self ? '' : m.keyChanged ? 'KEY CHANGED since you verified it' : m.verified ? 'verified' : 'not verified';
    li.querySelector('.mark').textContent = mark;
    li.dataset.mark = m.self ? 'self' : m.keyChanged ? 'changed' : m.verified ? 'verified' : 'unverified';
    const button = li.querySelector('.verify');
    button.hidden = m.self || m.participantId === null;
    button.setAttribute('aria-label', `Verify ${m.name || m.identity}`);
    button.addEventListener('click', () => showVerify(m));
    list.append(li);
  }
  for (const id of roster?.unencrypted ?? []) {
    const li = document.createElement('li');
    li.dataset.mark = 'unencrypted';
    li.textContent = `${displayName(room?.getParticipant(id))}: not end-to-end encrypted (not in the group)`;
    list.append(li);
  }
  const changed = members.filter((m) => m.keyChanged);
  $('key-warning').hidden = changed.length === 0;
  $('key-warning').textContent = changed.length
    ? `Warning: the identity key of ${changed.map((m) => m.name || m.identity).join(', ')} is not the one you verified. ` +
      'Someone may be impersonating them: compare your codes again before trusting this call.'
    : '';
  for (const id of stage.ids()) {
    stage.get(id).figure.dataset.unencrypted = String((roster?.unencrypted ?? []).includes(id));
  }
}

async function showVerify(m) {
  if (!room?.e2ee) return;
  verifying = m.participantId;
  $('verify-name').textContent = m.name || m.identity;
  showCode($('pair-code'), '…');
  $('verify-box').hidden = false;
  try {
    showCode($('pair-code'), await room.e2ee.pairwiseCode(m.participantId));
  } catch (e) {
    $('pair-code').textContent = `unavailable (${e.message})`;
  }
}

function hideVerify() {
  verifying = null;
  $('verify-box').hidden = true;
}

function addChatLine(who, text, mine) {
  const li = document.createElement('li');
  li.dataset.mine = String(mine);
  const name = document.createElement('strong');
  name.textContent = `${who}: `;
  const body = document.createElement('span');
  body.textContent = text;  // other people's words: text only, never HTML
  li.append(name, body);
  $('chat-log').append(li);
  li.scrollIntoView({ block: 'nearest' });
  if (!mine && $('side').hidden) {
    unread++;
    $('unread').textContent = String(unread);
    $('unread').hidden = false;
    $('toggle-side').setAttribute('aria-label', `People, encryption and chat (${unread} unread)`);
  }
}

function showE2ee(r) {
  if (!r.e2ee) {
    showRoomCode(null);
    showRoster(null);
    $('chat').hidden = true;
    setLock(false, 'Not end-to-end encrypted: joined without it');
    return;
  }
  showRoomCode(r.e2ee.roomCode());
  showRoster(r.e2ee.roster());
  $('chat').hidden = false;
  showE2eeStatus(r.e2ee.status());
}

// --- tiles ------------------------------------------------------------------

function displayName(p) {
  return p?.name || '(no name)';
}

// What a remote participant sends, as the server announced it: a track of a
// kind means that device is on; a room admin's mute turns it off for everyone.
function remoteDevices(p) {
  const kinds = new Set((p?.tracks ?? []).map((t) => t.kind));
  return { mic: kinds.has('audio') && !p.audioMuted, camera: kinds.has('video') && !p.videoMuted };
}

function selfDevices() {
  const me = room ? { audioMuted: adminMuted.audio, videoMuted: adminMuted.video } : {};
  return {
    mic: Boolean(room?.isSending('audio')) && !me.audioMuted,
    camera: Boolean(room?.isSending('video')) && !me.videoMuted,
  };
}
function addTile(participant) {
  const tile = stage.add(participant, (t) => decorateTile(t, participant));
  refreshTile(participant.id);
  return tile;
}

// Room admins get per-participant controls; the server checks the grant.
function decorateTile(tile, participant) {
  const figure = tile.figure;
  const actions = figure.querySelector('.admin-actions');
  actions.hidden = !room?.isAdmin;
  const who = displayName(participant);
  const audio = figure.querySelector('.mute-audio');
  const video = figure.querySelector('.mute-video');
  audio.setAttribute('aria-label', `Mute ${who} for everyone`);
  video.setAttribute('aria-label', `Stop ${who}'s video for everyone`);
  figure.querySelector('.kick').setAttribute('aria-label', `Remove ${who} from the room`);
  audio.addEventListener('click', () => adminAction(() => room.mute(participant.id, 'audio', audio.dataset.muted !== 'true')));
  video.addEventListener('click', () => adminAction(() => room.mute(participant.id, 'video', video.dataset.muted !== 'true')));
  figure.querySelector('.kick').addEventListener('click', () => adminAction(() => room.kick(participant.id)));
}

function refreshTile(id) {
  const p = room?.getParticipant(id);
  const tile = stage.get(id);
  if (!p || !tile) return;
  stage.setDevices(id, remoteDevices(p));
  showMuted(tile, p);
}

function refreshSelfTile() {
  stage.setDevices(null, selfDevices());
  const { mic, camera } = selfDevices();
  syncToggle('toggle-mic', mic);
  syncToggle('toggle-camera', camera);
  syncScreenButton();
}

// A room admin's mute, as everyone sees it (the server forwards none of it).
function showMuted(tile, p) {
  const parts = [p.audioMuted && 'muted by an admin', p.videoMuted && 'video stopped by an admin'].filter(Boolean);
  const el = tile.figure.querySelector('.muted');
  el.textContent = parts.join(', ');
  el.hidden = parts.length === 0;
  tile.figure.dataset.audioMuted = String(Boolean(p.audioMuted));
  const audio = tile.figure.querySelector('.mute-audio');
  audio.dataset.muted = String(Boolean(p.audioMuted));
  audio.textContent = p.audioMuted ? 'Unmute' : 'Mute';
  const video = tile.figure.querySelector('.mute-video');
  video.dataset.muted = String(Boolean(p.videoMuted));
  video.textContent = p.videoMuted ? 'Allow video' : 'Stop video';
}

function adminAction(fn) {
  Promise.resolve().then(fn).catch((e) => showError(e.code ?? 'error', e.serverMessage ?? e.message));
}

function showLobby(waiting) {
  const list = $('lobby');
  list.replaceChildren();
  for (const p of waiting) {
    const item = $('lobby-template').content.firstElementChild.cloneNode(true);
    item.dataset.participantId = p.id;
    item.querySelector('.name').textContent = p.name || '(no name)';
    item.querySelector('.admit').addEventListener('click', () => adminAction(() => room.admit(p.id)));
    item.querySelector('.deny').addEventListener('click', () => adminAction(() => room.deny(p.id)));
    list.append(item);
  }
  $('lobby-box').hidden = waiting.length === 0;
  if (waiting.length) setStatus(`${waiting.length} waiting to join`);
}

function showAdmin(r) {
  $('admin').hidden = !r?.isAdmin;
  if (!r?.isAdmin) return;
  $('toggle-lock').setAttribute('aria-pressed', String(r.locked));
  $('toggle-lock').textContent = r.locked ? 'Unlock room' : 'Lock room';
  showLobby(r.lobby);
}

// A participant's videos: the camera in its own tile (with its sound), its
// screen share and any other video in tiles of their own (ui_layout.js
// placeVideos).
function showVideos(id) {
  const tile = stage.get(id);
  if (!tile) return;
  const { camera, screens, others } = placeVideos(remoteVideos.get(id) ?? []);
  const before = [...tile.tracks].find((t) => t.kind === 'video') ?? null;
  if (before !== camera) {
    if (before) tile.tracks.delete(before);
    if (camera) tile.tracks.add(camera);
    attachTracks(tile);
  }
  stage.setVideos(id, [...screens.map((track) => ({ track, screen: true })), ...others.map((track) => ({ track, screen: false }))]);
}

// A fresh MediaStream each time, so the element reliably picks up the change.
function attachTracks(tile) {
  tile.video.srcObject = tile.tracks.size ? new MediaStream([...tile.tracks]) : null;
  if (speakerId && typeof tile.video.setSinkId === 'function') tile.video.setSinkId(speakerId).catch(() => {});
  if (tile.tracks.size) playWithSound(tile.video);
}

// Autoplay with sound needs a user gesture (a click on Join counts, an
// autojoin link does not): fall back to muted playback and offer a button.
function playWithSound(video) {
  video.play().catch((e) => {
    if (e.name !== 'NotAllowedError') return;
    video.muted = true;
    video.play().catch(() => {});
    $('enable-sound').hidden = false;
  });
}

// --- joining and leaving --------------------------------------------------

async function fetchDevToken(roomId, name) {
  const response = await fetch('/api/dev-token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ room: roomId, name }),
  });
  if (!response.ok) {
    // The server explains a refusal in a short plain-text body.
    const why = (await response.text().catch(() => '')).trim().slice(0, 200);
    throw new AegisError('no_token', `the server gave no development token (HTTP ${response.status}` +
                         `${why ? `: ${why}` : ''}); paste an access token instead (aegis token create), or start the server with --dev on loopback`);
  }
  const body = await response.json();
  if (typeof body.token !== 'string') throw new AegisError('no_token', 'the server sent no token');
  return body.token;
}

function wireRoom(r) {
  r.addEventListener('participantjoined', (e) => {
    addTile(e.participant);
    setStatus(`${displayName(e.participant)} joined`);
    showCount();
  });
  r.addEventListener('participantleft', (e) => {
    remoteVideos.delete(e.participantId);
    stage.remove(e.participantId);
    setStatus(`${displayName(e.participant)} left`);
    showCount();
  });
  r.addEventListener('trackpublished', (e) => refreshTile(e.participantId));
  r.addEventListener('trackunpublished', (e) => refreshTile(e.participantId));
  r.addEventListener('track', (e) => {
    // A track may land after its publisher left (the subscriber offer was
    // already on its way): no tile for someone who is gone.
    const participant = r.getParticipant(e.participantId);
    if (!participant) return;
    const tile = addTile(participant);
    if (e.kind !== 'video') {
      tile.tracks.add(e.track);
      attachTracks(tile);
      return;
    }
    const videos = remoteVideos.get(e.participantId) ?? [];
    if (!videos.some((v) => v.track === e.track)) videos.push({ track: e.track, source: e.source ?? r.sourceOf(e.track) });
    remoteVideos.set(e.participantId, videos);
    showVideos(e.participantId);
  });
  r.addEventListener('tracksource', (e) => {
    const v = remoteVideos.get(e.participantId)?.find((x) => x.track === e.track);
    if (!v || v.source === e.source) return;
    v.source = e.source;
    showVideos(e.participantId);
  });
  r.addEventListener('trackremoved', (e) => {
    const videos = remoteVideos.get(e.participantId);
    if (videos?.some((v) => v.track === e.track)) {
      remoteVideos.set(e.participantId, videos.filter((v) => v.track !== e.track));
      showVideos(e.participantId);
      return;
    }
    const tile = stage.get(e.participantId);
    if (tile?.tracks.delete(e.track)) attachTracks(tile);
  });
  r.addEventListener('screenshareended', (e) => {
    if (r !== room) return;
    releaseScreen();
    syncScreenButton();
    if (e.reason === 'ended') setStatus('Screen sharing stopped');
  });
  r.addEventListener('participantmuted', (e) => {
    refreshTile(e.participantId);
    if (e.participantId === r.participantId) {
      adminMuted[e.kind === 'video' ? 'video' : 'audio'] = e.muted;
      refreshSelfTile();
      showNotice(e.muted ? `A room admin ${e.kind === 'audio' ? 'muted you' : 'stopped your video'}: nobody receives it.`
                         : `A room admin allowed your ${e.kind === 'audio' ? 'microphone' : 'video'} again.`);
    }
  });
  r.addEventListener('roomlocked', () => {
    showAdmin(r);
    setStatus(r.locked ? 'The room is locked: nobody new can join' : 'The room is open again');
  });
  r.addEventListener('lobbychanged', (e) => showLobby(e.waiting));
  r.addEventListener('roomcodechange', (e) => showRoomCode(e.code));
  r.addEventListener('rosterchange', (e) => showRoster(e));
  r.addEventListener('chatmessage', (e) => addChatLine(e.name || e.identity || 'someone', e.text, false));
  r.addEventListener('e2eestatus', (e) => showE2eeStatus(e));
  r.addEventListener('e2eeerror', (e) => {
    e2eeErrorCodes.push(e.code);
    if (e.code === 'identity_key_changed') showRoster(r.e2ee?.roster());
    // The SDK has already switched to the frames' (authenticated) source.
    if (e.code === 'source_mismatch') showError(e.code, e.message);
  });
  r.addEventListener('error', (e) => showError(e.code, e.message));
  // The signaling socket dropped: media may still flow, but nothing about
  // the room can change until the SDK resumes; say so rather than show a
  // call that looks fine (or a tile that froze) without a word.
  r.addEventListener('reconnecting', () => {
    document.body.dataset.reconnecting = 'true';
    showNotice('Connection lost: reconnecting…');
    setStatus('Reconnecting…');
  });
  r.addEventListener('reconnected', () => {
    delete document.body.dataset.reconnecting;
    showNotice('');
    setStatus(`Reconnected to room ${r.roomId}`);
  });
  r.addEventListener('closed', (e) => {
    delete document.body.dataset.reconnecting;
    if ($('notice').textContent.startsWith('Connection lost')) showNotice('');
    if (e.reason !== 'connection_closed' || state !== 'joined') return;
    endCall('error');
    showError(e.error?.code ?? 'connection_closed', e.error?.serverMessage ?? 'connection lost');
  });
}

function startMonitor(r) {
  monitor = new CallMonitor(r, {
    micOn: (id) => (id === null ? selfDevices().mic : remoteDevices(r.getParticipant(id)).mic),
    cameraOn: (id) => (id === null ? selfDevices().camera : remoteDevices(r.getParticipant(id)).camera),
    known: (key) => key === 'self' || Boolean(r.getParticipant(key)),
    onSpeaking: (id, speaking) => stage.setSpeaking(id, speaking),
    onActiveSpeaker: (id) => { if (id !== null) stage.setFocus(id); },
    onQuality: (id, quality, detail) => stage.setQuality(id, quality, detail),
    onSample: () => { if (!$('stats-panel').hidden) renderStats(); },
  });
  monitor.start();
}

function renderStats() {
  if (!monitor || !room) return;
  statsPanel.render(monitor.series(), (key) => {
    if (key === 'self') return lastJoin?.name || 'You';
    const p = room.getParticipant(key);
    return p ? displayName(p) : null;
  });
}

// Sends what the pre-join check handed over (or, after an autojoin link,
// opens the camera and microphone now).
async function startMedia(fromPrejoin) {
  let media = fromPrejoin;
  if (!media?.checked) {
    const got = await openMedia({ audio: true, video: kVideo[videoQuality] });
    const errors = Object.entries(got.errors);
    if (errors.length) {
      showNotice(`${errors.map(([kind, e]) => describeMediaError(e, kind === 'audio' ? 'microphone' : 'camera')).join(' ')}`);
    }
    media = { audio: got.audio, video: got.video, micOn: true, camOn: true };
  }
  if (state !== 'joined') {  // left while the permission prompt was open
    media.audio?.stop();
    media.video?.stop();
    return;
  }
  localAudio = media.audio;
  localVideo = media.camOn ? media.video : null;
  if (!media.camOn) media.video?.stop();
  $('self-video').srcObject = localVideo ? new MediaStream([localVideo]) : null;
  const send = [media.micOn && localAudio, localVideo].filter(Boolean);
  try {
    if (send.length) await room.publish(new MediaStream(send));
  } catch (e) {
    // The server's refusal is already shown through the 'error' event.
    if (!(e instanceof AegisError)) showError('publish_failed', e.message);
  }
  refreshSelfTile();
}

function stopLocalMedia() {
  localAudio?.stop();
  localVideo?.stop();
  localAudio = null;
  localVideo = null;
  releaseScreen();
  syncScreenButton();
  remoteVideos.clear();
  $('self-video').srcObject = null;
  syncToggle('toggle-camera', false);
  syncToggle('toggle-mic', false);
}

async function join({ roomId, name, token, e2ee, media = null }) {
  if (state === 'joining' || state === 'joined') return;
  clearError();
  showNotice('');
  setState('joining');
  setStatus(`Joining ${roomId}…`);
  $('join').disabled = true;
  $('join').textContent = 'Joining…';
  lastJoin = { roomId, name, token, e2ee };
  store.set('room', roomId);
  store.set('name', name);
  try {
    const t = token || await fetchDevToken(roomId, name);
    room = await AegisRoom.connect({
      room: roomId, token: t, e2ee, relayOnly,
      onLobby: () => setStatus('Waiting for a room admin to let you in…'),
      // A development token is short-lived: ask for another before it
      // expires. A pasted token cannot be renewed by the page.
      refreshToken: token ? null : () => fetchDevToken(roomId, name),
    });
  } catch (e) {
    room = null;
    media?.audio?.stop();
    media?.video?.stop();
    setState('error');
    setStatus('Not joined');
    $('join').disabled = false;
    $('join').textContent = 'Join';
    showScreen('prejoin');
    if (!autojoined) prejoin.start();
    if (e instanceof AegisError) showError(e.code, e.serverMessage);
    else showError('connection_failed', e.message);
    return;
  }
  adminMuted.audio = false;
  adminMuted.video = false;
  wireRoom(room);
  showE2ee(room);
  showAdmin(room);
  stage.setSelfName(name);
  for (const p of room.participants) addTile(p);
  setState('joined');
  setStatus(`In room ${room.roomId}`);
  $('bar-room').textContent = room.roomId;
  $('join').disabled = false;
  $('join').textContent = 'Join';
  showScreen('call');
  showCount();
  refreshSelfTile();
  startMonitor(room);
  await startMedia(media);
}

function endCall(nextState) {
  monitor?.stop();
  monitor = null;
  const r = room;
  room = null;
  setState(nextState);
  r?.leave();
  stopLocalMedia();
  stage.clear();
  statsPanel.clear();
  $('enable-sound').hidden = true;
  $('admin').hidden = true;
  showRoomCode(null);
  showRoster(null);
  hideVerify();
  closeInvite();
  $('chat').hidden = true;
  $('chat-log').replaceChildren();
  unread = 0;
  $('unread').hidden = true;
  setLock(false, '');
  showCount();
  if (nextState === 'left') {
    $('left-detail').textContent = `You left room ${r?.roomId ?? lastJoin?.roomId ?? ''}. Nobody was asked anything; you can come back.`;
    showScreen('left');
    $('rejoin').focus();
  } else {
    showScreen('prejoin');
    if (!autojoined) prejoin.start();
  }
}

function leave() {
  if (state !== 'joined') return;
  endCall('left');
  setStatus('You left the room');
}

// --- controls -------------------------------------------------------------

function syncToggle(buttonId, on) {
  const button = $(buttonId);
  button.disabled = state !== 'joined';
  button.setAttribute('aria-pressed', String(Boolean(on)));
}

// Microphone off: nothing is sent and everyone's tile for you shows it (the
// track is unpublished); the microphone stays open so turning it back on is quick.
async function toggleMic() {
  if (!room || switching.audio) return;
  switching.audio = true;
  const r = room;
  try {
    if (r.isSending('audio')) {
      await r.setSending('audio', null);
    } else {
      if (!localAudio || localAudio.readyState === 'ended') {
        const got = await openMedia({ audio: audioConstraints(store.get('microphone')) });
        if (!got.audio) throw Object.assign(new Error(describeMediaError(got.errors.audio, 'microphone')), { code: 'no_microphone' });
        localAudio = got.audio;
      }
      await r.setSending('audio', localAudio);
    }
  } catch (e) {
    if (e.code === 'no_microphone') showNotice(e.message);
    else if (!(e instanceof AegisError)) showError('publish_failed', e.message);
  } finally {
    switching.audio = false;
    if (room === r) refreshSelfTile();
  }
}

// Camera off: unpublished, and the camera itself is closed (its light goes out).
async function toggleCamera() {
  if (!room || switching.video) return;
  switching.video = true;
  const r = room;
  try {
    if (r.isSending('video')) {
      await r.setSending('video', null);
      localVideo?.stop();
      localVideo = null;
      $('self-video').srcObject = null;
    } else {
      const got = await openMedia({ video: videoConstraints(kVideo[videoQuality], store.get('camera')) });
      if (!got.video) throw Object.assign(new Error(describeMediaError(got.errors.video, 'camera')), { code: 'no_camera' });
      if (room !== r) {
        got.video.stop();
        return;
      }
      localVideo?.stop();
      localVideo = got.video;
      $('self-video').srcObject = new MediaStream([localVideo]);
      await r.setSending('video', localVideo);
    }
  } catch (e) {
    if (e.code === 'no_camera') showNotice(e.message);
    else if (!(e instanceof AegisError)) showError('publish_failed', e.message);
  } finally {
    switching.video = false;
    if (room === r) refreshSelfTile();
  }
}

// --- screen sharing -----------------------------------------------------------

function releaseScreen() {
  localScreen?.stop();  // the browser's capture indicator goes away
  localScreen = null;
}

function syncScreenButton() {
  const button = $('toggle-screen');
  const sharing = Boolean(room?.isSharingScreen());
  button.disabled = state !== 'joined' || !navigator.mediaDevices?.getDisplayMedia;
  button.setAttribute('aria-pressed', String(sharing));
  button.setAttribute('aria-label', sharing ? 'Stop sharing your screen' : 'Share your screen');
}

// Shares a screen or window the browser lets the user pick, or stops sharing.
async function toggleScreen() {
  if (!room || switching.screen) return;
  switching.screen = true;
  const r = room;
  try {
    if (r.isSharingScreen()) {
      await r.stopScreenShare();
      releaseScreen();
      setStatus('Screen sharing stopped');
      return;
    }
    let captured;
    try {
      captured = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    } catch (e) {
      // Closing the picker is a choice, not an error.
      if (e.name !== 'NotAllowedError' && e.name !== 'AbortError') showNotice(`Cannot share the screen: ${e.message}`);
      return;
    }
    const track = captured.getVideoTracks()[0];
    captured.getAudioTracks().forEach((t) => t.stop());
    if (!track || room !== r) {
      track?.stop();
      return;
    }
    localScreen = track;
    await r.shareScreen(track);
    setStatus('You are sharing your screen');
  } catch (e) {
    if (room === r && !r.isSharingScreen()) releaseScreen();
    if (!(e instanceof AegisError)) showError('publish_failed', e.message);
  } finally {
    switching.screen = false;
    if (room === r) syncScreenButton();
  }
}

function setSide(open, remember = true) {
  if (open && !$('stats-panel').hidden) setStats(false);
  $('side').hidden = !open;
  $('toggle-side').setAttribute('aria-expanded', String(open));
  if (open) {
    unread = 0;
    $('unread').hidden = true;
    $('toggle-side').setAttribute('aria-label', 'People, encryption and chat');
  }
  if (remember) store.set('side', open ? 'open' : 'closed');
}

// One panel at a time beside the stage, so the tiles keep their room.
function setStats(open) {
  $('stats-panel').hidden = !open;
  $('toggle-stats').setAttribute('aria-expanded', String(open));
  if (open) {
    if (!$('side').hidden) setSide(false, false);
    renderStats();
  }
}

function setView(view) {
  stage.setView(view);
  $('toggle-layout').setAttribute('aria-pressed', String(view === 'speaker'));
}

// --- invite -------------------------------------------------------------------

function inviteLink() {
  const url = new URL(location.pathname, location.origin);
  url.searchParams.set('room', room?.roomId ?? lastJoin?.roomId ?? '');
  return url.toString();
}

function openInvite() {
  $('invite-link').value = inviteLink();
  $('invite-status').textContent = '';
  $('invite-box').hidden = false;
  $('invite').setAttribute('aria-expanded', 'true');
  $('invite-copy').focus();
}

function closeInvite() {
  if ($('invite-box').hidden) return;
  $('invite-box').hidden = true;
  $('invite').setAttribute('aria-expanded', 'false');
  $('guest-box').hidden = true;
  $('guest-link').value = '';
}

async function copyText(input, statusEl, what) {
  try {
    await navigator.clipboard.writeText(input.value);
    statusEl.textContent = `${what} copied.`;
  } catch {
    input.select();
    statusEl.textContent = `Could not copy: the ${what.toLowerCase()} is selected, press Ctrl+C (or ⌘C) to copy it.`;
  }
}

function tokenExpiry(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null;
  } catch {
    return null;
  }
}

// A link with a token in it, only when asked for: anyone holding it can join
// until the token expires, so the expiry is shown with it.
async function createGuestLink() {
  const roomId = room?.roomId;
  if (!roomId) return;
  $('guest-create').disabled = true;
  $('invite-status').textContent = 'Creating a guest link…';
  try {
    const token = await fetchDevToken(roomId, 'Guest');
    const url = new URL(inviteLink());
    url.searchParams.set('token', token);
    $('guest-link').value = url.toString();
    const exp = tokenExpiry(token);
    const minutes = exp ? Math.round((exp.getTime() - Date.now()) / 60000) : null;
    $('guest-expiry').textContent = exp
      ? `Anyone with this link can join until ${exp.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} ` +
        `(in ${minutes} minute${minutes === 1 ? '' : 's'}).`
      : 'Anyone with this link can join until its token expires.';
    $('guest-box').hidden = false;
    $('invite-status').textContent = 'Guest link created.';
  } catch {
    $('guest-box').hidden = true;
    $('invite-status').textContent = 'This server hands out no guest tokens (only a server started with --dev on ' +
      `loopback does). Whoever runs it can make one: aegis token create --room ${roomId} --identity guest --ttl 1h`;
  } finally {
    $('guest-create').disabled = false;
  }
}

// --- wiring -------------------------------------------------------------------

$('toggle-camera').addEventListener('click', toggleCamera);
$('toggle-mic').addEventListener('click', toggleMic);
$('toggle-screen').addEventListener('click', toggleScreen);
$('leave').addEventListener('click', leave);
$('toggle-layout').addEventListener('click', () => setView(stage.view === 'speaker' ? 'grid' : 'speaker'));
$('toggle-side').addEventListener('click', () => setSide($('side').hidden));
$('toggle-stats').addEventListener('click', () => setStats($('stats-panel').hidden));
$('stats-close').addEventListener('click', () => { setStats(false); $('toggle-stats').focus(); });
$('invite').addEventListener('click', () => ($('invite-box').hidden ? openInvite() : closeInvite()));
$('invite-close').addEventListener('click', () => { closeInvite(); $('invite').focus(); });
$('invite-copy').addEventListener('click', () => copyText($('invite-link'), $('invite-status'), 'Link'));
$('guest-create').addEventListener('click', createGuestLink);
$('guest-copy').addEventListener('click', () => copyText($('guest-link'), $('invite-status'), 'Guest link'));
$('invite-box').addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    closeInvite();
    $('invite').focus();
  }
});
$('verify-cancel').addEventListener('click', hideVerify);
$('verify-match').addEventListener('click', () => {
  if (!room?.e2ee || !verifying) return;
  try {
    room.e2ee.markVerified(verifying);
  } catch (e) {
    showError('verify_failed', e.message);
  }
  hideVerify();
});
$('chat-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('chat-input').value;
  if (!room?.e2ee || !text.trim()) return;
  try {
    await room.e2ee.sendChat(text);
    addChatLine('You', text, true);
    $('chat-input').value = '';
  } catch (err) {
    showError('chat_failed', err.message);
  }
});
$('toggle-lock').addEventListener('click', () => adminAction(() => room.lock(!room.locked)));
$('end-room').addEventListener('click', () => adminAction(() => room.end()));
$('enable-sound').addEventListener('click', () => {
  for (const id of stage.ids()) {
    const video = stage.get(id).video;
    video.muted = false;
    video.play().catch(() => {});
  }
  $('enable-sound').hidden = true;
});
$('rejoin').addEventListener('click', () => {
  if (!lastJoin) return;
  prejoin.stop();
  join(lastJoin);
});
$('back-to-start').addEventListener('click', () => {
  clearError();
  autojoined = false;
  setState('idle');
  showScreen('prejoin');
  prejoin.start();
});

$('join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  speakerId = prejoin.speakerId;
  join({
    roomId: $('room').value.trim(), name: $('name').value.trim(), token: $('token').value.trim(), e2ee: $('e2ee').checked,
    media: prejoin.take(),
  });
});

// Closing the tab leaves at once, so the others see it without waiting for
// the server to notice a dead connection.
window.addEventListener('pagehide', () => room?.leave());

// --- start ----------------------------------------------------------------

const params = new URLSearchParams(location.search);
$('room').value = params.get('room') ?? store.get('room');
$('name').value = params.get('name') ?? store.get('name');
const urlToken = params.get('token') ?? '';
if (params.get('video') === 'low') videoQuality = 'low';
// relay=1: media only through the server's TURN relay, so this device's own
// addresses never reach the media server (AegisRoom.connect relayOnly).
const relayOnly = params.get('relay') === '1';
if (params.has('e2ee')) $('e2ee').checked = params.get('e2ee') !== '0';
// A link can turn encryption off; say so where nobody can miss it.
$('e2ee-warning').hidden = params.get('e2ee') !== '0';
$('e2ee').addEventListener('change', () => { $('e2ee-warning').hidden = $('e2ee').checked; });
if (params.has('token')) {
  // A token is a bearer credential: keep it out of the history and bookmarks.
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
}
const sideStored = store.get('side');
setSide(sideStored ? sideStored === 'open' : window.innerWidth >= kSideDefaultMinWidth, false);
prejoin = new PreJoin({ videoQuality: kVideo[videoQuality] });

// For the browser tests only; not an API.
window.aegisApp = {
  state: () => state,
  remoteStats: async () => (room && state === 'joined' ? room.getRemoteStats() : {}),
  reconnecting: () => Boolean(room?.reconnecting),
  notice: () => ($('notice').hidden ? '' : $('notice').textContent),
  participants: () => (room && state === 'joined' ? room.participants.map(({ id, name }) => ({ id, name })) : []),
  selfId: () => room?.participantId ?? null,
  // { roomCode, epoch, roster, encrypted, reason, stats } of the current call.
  e2ee: async () => {
    if (!room?.e2ee || state !== 'joined') {
      return { roomCode: null, epoch: null, roster: null, encrypted: false, reason: room ? 'joined without it' : 'not joined', stats: {} };
    }
    const { encrypted, reason } = room.e2ee.status();
    return {
      roomCode: room.e2ee.roomCode(), epoch: room.e2ee.epoch(), roster: room.e2ee.roster(), encrypted, reason,
      stats: await room.e2ee.getE2eeStats(),
    };
  },
  chatLog: () => [...$('chat-log').children].map((li) => li.textContent),
  // What this page sends: { audio, video } (its setSending state).
  sending: () => ({ audio: Boolean(room?.isSending('audio')), video: Boolean(room?.isSending('video')) }),
  sharingScreen: () => Boolean(room?.isSharingScreen()),
  e2eeErrors: () => [...e2eeErrorCodes],
  // A remote participant's tracks as signalled ({ id, kind, source }) and
  // its videos' sources as the SDK says (sourceOf).
  trackSources: (id) => ({
    signalled: room?.getParticipant(id)?.tracks ?? null,
    videos: (remoteVideos.get(id) ?? []).map((v) => room?.sourceOf(v.track) ?? null),
  }),
  // The screen track being shared (a test ends it as the browser's own stop button would).
  screenTrack: () => localScreen,
  // Every tile on the stage: { participantId (null: yours), role: 'camera' |
  // 'screen' | 'video' | 'self', width, height, frames (decoded by its
  // <video>), videoWidth, videoHeight }.
  tiles: () => {
    const describe = (figure, video, participantId, role) => {
      const r = figure.getBoundingClientRect();
      return {
        participantId, role, width: r.width, height: r.height,
        frames: video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0, videoWidth: video.videoWidth, videoHeight: video.videoHeight,
      };
    };
    return [
      ...stage.ids().map((id) => describe(stage.get(id).figure, stage.get(id).video, id, 'camera')),
      ...stage.videoTiles().map((v) => describe(v.figure, v.video, v.participantId, v.screen ? 'screen' : 'video')),
      describe(stage.self.figure, stage.self.video, null, 'self'),
    ];
  },
};

if (params.get('autojoin') === '1' && $('room').value) {
  autojoined = true;
  showScreen('prejoin');
  join({ roomId: $('room').value.trim(), name: $('name').value.trim() || 'Guest', token: urlToken, e2ee: $('e2ee').checked });
} else {
  $('token').value = urlToken;
  setStatus('Not joined');
  showScreen('prejoin');
  prejoin.start();
}
