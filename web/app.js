// The Aegis demo app: a join form, self view, one tile per remote
// participant, camera/microphone toggles and leave. Runs under the server's
// strict CSP: no inline script or style, names rendered with textContent.
//
// URL parameters (handy for links and for the browser tests):
//   ?room=A&name=Ada&token=JWT&autojoin=1&video=low&e2ee=1
// Without a token the page asks POST /api/dev-token (loopback servers only).
// e2ee=1|0 sets the "End-to-end encrypt" box (on by default). In an
// encrypted call the page shows the room code and the members of the
// encrypted group with their verification marks (docs/e2ee.md §5), a lock
// that says "encrypted" only when the SDK reports every playing track
// decrypting under the group's current keys (docs/e2ee.md §6), and the
// end-to-end encrypted chat.
import { AegisError, AegisRoom } from './sdk/aegis.js';

const $ = (id) => document.getElementById(id);

const kVideo = {
  normal: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } },
  // Several participants on one small machine (the browser tests).
  low: { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } },
};
// How often tile indicators are refreshed from the receive counters.
const kIndicatorMs = 1000;

let state = 'idle';  // idle | joining | joined | error | left
let room = null;
let localStream = null;
let videoQuality = 'normal';
let indicatorTimer = null;
// participantId -> { figure, video, indicator, tracks: Set, lastPackets }
const tiles = new Map();

function setState(next) {
  state = next;
  document.body.dataset.state = next;
}

function setStatus(text) {
  $('status').textContent = text;
}

function showError(code, message) {
  const el = $('error');
  el.textContent = `${code}: ${message}`;
  el.dataset.code = code;
  el.hidden = false;
}

function clearError() {
  const el = $('error');
  el.hidden = true;
  el.textContent = '';
  delete el.dataset.code;
}

function showNotice(text) {
  $('notice').textContent = text;
  $('notice').hidden = !text;
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
  for (const [id, tile] of tiles) tile.figure.dataset.unencrypted = String((roster?.unencrypted ?? []).includes(id));
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

function showCall(inCall) {
  $('call').hidden = !inCall;
  $('join-form').hidden = inCall;
  $('join').disabled = false;
}

// --- remote tiles ---------------------------------------------------------

function displayName(p) {
  return p?.name || '(no name)';
}

function addTile(participant) {
  if (tiles.has(participant.id)) return tiles.get(participant.id);
  const figure = $('tile-template').content.firstElementChild.cloneNode(true);
  figure.dataset.participantId = participant.id;
  // Names come from other people's tokens: text only, never HTML.
  figure.querySelector('.name').textContent = displayName(participant);
  const video = figure.querySelector('video');
  video.setAttribute('aria-label', `Video of ${displayName(participant)}`);
  const tile = { figure, video, indicator: figure.querySelector('.indicator'), tracks: new Set(), lastPackets: 0 };
  setIndicator(tile, 'waiting');
  showMuted(tile, participant);
  // Room admins get per-participant controls; the server checks the grant.
  const actions = figure.querySelector('.admin-actions');
  actions.hidden = !room?.isAdmin;
  const who = displayName(participant);
  const audio = figure.querySelector('.mute-audio');
  const video2 = figure.querySelector('.mute-video');
  audio.setAttribute('aria-label', `Mute ${who} for everyone`);
  video2.setAttribute('aria-label', `Stop ${who}'s video for everyone`);
  figure.querySelector('.kick').setAttribute('aria-label', `Remove ${who} from the room`);
  audio.addEventListener('click', () => adminAction(() => room.mute(participant.id, 'audio', audio.dataset.muted !== 'true')));
  video2.addEventListener('click', () => adminAction(() => room.mute(participant.id, 'video', video2.dataset.muted !== 'true')));
  figure.querySelector('.kick').addEventListener('click', () => adminAction(() => room.kick(participant.id)));
  tiles.set(participant.id, tile);
  $('tiles').append(figure);
  return tile;
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

function removeTile(participantId) {
  const tile = tiles.get(participantId);
  if (!tile) return;
  tile.video.srcObject = null;
  tile.figure.remove();
  tiles.delete(participantId);
}

function clearTiles() {
  for (const id of [...tiles.keys()]) removeTile(id);
}

// A fresh MediaStream each time, so the element reliably picks up the change.
function attachTracks(tile) {
  tile.video.srcObject = tile.tracks.size ? new MediaStream([...tile.tracks]) : null;
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

function setIndicator(tile, how) {
  const label = { waiting: 'connecting', live: 'receiving media', stalled: 'no media arriving' }[how];
  tile.indicator.dataset.state = how;
  tile.indicator.setAttribute('aria-label', `Connection: ${label}`);
  tile.indicator.title = label;
}

// live: packets arrived since the last look; waiting: none ever; stalled:
// some before, none now.
async function refreshIndicators() {
  if (!room || state !== 'joined') return;
  const stats = await room.getRemoteStats().catch(() => ({}));
  for (const [id, tile] of tiles) {
    const packets = stats[id]?.packetsReceived ?? 0;
    setIndicator(tile, packets > tile.lastPackets ? 'live' : packets === 0 ? 'waiting' : 'stalled');
    tile.lastPackets = packets;
  }
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
  });
  r.addEventListener('participantleft', (e) => {
    removeTile(e.participantId);
    setStatus(`${displayName(e.participant)} left`);
  });
  r.addEventListener('track', (e) => {
    // A track may land after its publisher left (the subscriber offer was
    // already on its way): no tile for someone who is gone.
    const participant = r.getParticipant(e.participantId);
    if (!participant) return;
    const tile = addTile(participant);
    tile.tracks.add(e.track);
    attachTracks(tile);
  });
  r.addEventListener('trackremoved', (e) => {
    const tile = tiles.get(e.participantId);
    if (tile?.tracks.delete(e.track)) attachTracks(tile);
  });
  r.addEventListener('participantmuted', (e) => {
    const tile = tiles.get(e.participantId);
    const p = r.getParticipant(e.participantId);
    if (tile && p) showMuted(tile, p);
    if (e.participantId === r.participantId) {
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
    if (e.code === 'identity_key_changed') showRoster(r.e2ee?.roster());
  });
  r.addEventListener('error', (e) => showError(e.code, e.message));
  r.addEventListener('closed', (e) => {
    if (e.reason !== 'connection_closed' || state !== 'joined') return;
    endCall('error');
    showError(e.error?.code ?? 'connection_closed', e.error?.serverMessage ?? 'connection lost');
  });
}

async function startMedia() {
  try {
    localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: kVideo[videoQuality] });
  } catch (e) {
    showNotice(`No camera or microphone (${e.name}): you can still see and hear the others.`);
    return;
  }
  if (state !== 'joined') {  // left while the permission prompt was open
    stopLocalMedia();
    return;
  }
  $('self-video').srcObject = localStream;
  syncToggle('toggle-camera', localStream.getVideoTracks()[0]);
  syncToggle('toggle-mic', localStream.getAudioTracks()[0]);
  try {
    await room.publish(localStream);
  } catch (e) {
    // The server's refusal is already shown through the 'error' event.
    if (!(e instanceof AegisError)) showError('publish_failed', e.message);
  }
}

function stopLocalMedia() {
  for (const track of localStream?.getTracks() ?? []) track.stop();
  localStream = null;
  $('self-video').srcObject = null;
  syncToggle('toggle-camera', null);
  syncToggle('toggle-mic', null);
}

async function join({ roomId, name, token, e2ee }) {
  if (state === 'joining' || state === 'joined') return;
  clearError();
  showNotice('');
  setState('joining');
  setStatus(`Joining ${roomId}…`);
  $('join').disabled = true;
  try {
    const t = token || await fetchDevToken(roomId, name);
    room = await AegisRoom.connect({
      room: roomId, token: t, e2ee,
      onLobby: () => setStatus('Waiting for a room admin to let you in…'),
      // A development token is short-lived: ask for another before it
      // expires. A pasted token cannot be renewed by the page.
      refreshToken: token ? null : () => fetchDevToken(roomId, name),
    });
  } catch (e) {
    room = null;
    setState('error');
    setStatus('Not joined');
    showCall(false);
    if (e instanceof AegisError) showError(e.code, e.serverMessage);
    else showError('connection_failed', e.message);
    return;
  }
  wireRoom(room);
  showE2ee(room);
  showAdmin(room);
  for (const p of room.participants) addTile(p);
  setState('joined');
  setStatus(`In room ${room.roomId}`);
  showCall(true);
  indicatorTimer = setInterval(refreshIndicators, kIndicatorMs);
  await startMedia();
}

function endCall(nextState) {
  clearInterval(indicatorTimer);
  const r = room;
  room = null;
  setState(nextState);
  r?.leave();
  stopLocalMedia();
  clearTiles();
  $('enable-sound').hidden = true;
  $('admin').hidden = true;
  showRoomCode(null);
  showRoster(null);
  hideVerify();
  $('chat').hidden = true;
  $('chat-log').replaceChildren();
  setLock(false, '');
  showCall(false);
}

function leave() {
  if (state !== 'joined') return;
  endCall('left');
  setStatus('You left the room');
}

// --- controls -------------------------------------------------------------

function syncToggle(buttonId, track) {
  const button = $(buttonId);
  button.disabled = !track;
  button.setAttribute('aria-pressed', String(Boolean(track?.enabled)));
}

// Muting keeps the track and its sender: the others get black video or
// silence, and unmuting needs no renegotiation.
function toggle(buttonId, track) {
  if (!track) return;
  track.enabled = !track.enabled;
  syncToggle(buttonId, track);
}

$('toggle-camera').addEventListener('click', () => toggle('toggle-camera', localStream?.getVideoTracks()[0]));
$('toggle-mic').addEventListener('click', () => toggle('toggle-mic', localStream?.getAudioTracks()[0]));
$('leave').addEventListener('click', leave);
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
  for (const tile of tiles.values()) {
    tile.video.muted = false;
    tile.video.play().catch(() => {});
  }
  $('enable-sound').hidden = true;
});

$('join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  join({
    roomId: $('room').value.trim(), name: $('name').value.trim(), token: $('token').value.trim(), e2ee: $('e2ee').checked,
  });
});

// Closing the tab leaves at once, so the others see it without waiting for
// the server to notice a dead connection.
window.addEventListener('pagehide', () => room?.leave());

// --- start ----------------------------------------------------------------

const params = new URLSearchParams(location.search);
$('room').value = params.get('room') ?? '';
$('name').value = params.get('name') ?? '';
const urlToken = params.get('token') ?? '';
if (params.get('video') === 'low') videoQuality = 'low';
if (params.has('e2ee')) $('e2ee').checked = params.get('e2ee') !== '0';
// A link can turn encryption off; say so where nobody can miss it.
$('e2ee-warning').hidden = params.get('e2ee') !== '0';
$('e2ee').addEventListener('change', () => { $('e2ee-warning').hidden = $('e2ee').checked; });
if (params.has('token')) {
  // A token is a bearer credential: keep it out of the history and bookmarks.
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
}

// For the browser tests only; not an API.
window.aegisApp = {
  state: () => state,
  remoteStats: async () => (room && state === 'joined' ? room.getRemoteStats() : {}),
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
};

if (params.get('autojoin') === '1' && $('room').value) {
  join({ roomId: $('room').value.trim(), name: $('name').value.trim() || 'Guest', token: urlToken, e2ee: $('e2ee').checked });
} else {
  $('token').value = urlToken;
  setStatus('Not joined');
}
