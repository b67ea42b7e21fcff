// Aegis browser SDK: joins a room on an Aegis server over its signaling
// WebSocket (docs/protocol.md, v1), publishes local media and receives
// everyone else's. Plain ES module, no dependencies, no build step.
//
//   import { AegisRoom } from './sdk/aegis.js';
//   const room = await AegisRoom.connect({ room: 'A', token });
//   room.addEventListener('track', (e) => show(e.participantId, e.track, e.kind));
//   await room.publish(await navigator.mediaDevices.getUserMedia({ audio: true, video: true }));
//   const [screen] = (await navigator.mediaDevices.getDisplayMedia({ video: true })).getVideoTracks();
//   await room.shareScreen(screen);   // ... room.stopScreenShare(); screen.stop();
//   ...
//   room.leave();
//
// End-to-end encryption (docs/e2ee.md): connect({ ..., e2ee: true }) joins
// the room's MLS group (keys the server never holds) and puts every sent and
// received frame through SFrame in a worker (e2ee_*.js). room.e2ee then gives
// the room code, the roster, verification, the status and the encrypted
// chat; see the E2EE section below.
//
// Two PeerConnections per participant (protocol.md §2): the publisher, for
// which this client makes the offers, and the subscriber, for which the
// server makes them. Each side offers only on the connection it controls, so
// offers never cross and no glare handling is needed.
//
// E2EE hooks in at the places marked "E2EE:" below: the join message
// (e2ee + key_package), the sender of each published track and the
// receiver of each remote track (SFrame encoded transforms), and the mls_*
// messages (handed to e2ee_manager.js).

import { E2eeManager } from './e2ee_manager.js';
import { isScreenContext } from './e2ee_mls_keys.js';
import { E2eeTransforms, e2eeSupported, needsInsertableStreamsOption } from './e2ee_transforms.js';
import { IceRecovery } from './ice_recovery.js';

// Every message's "v" (docs/protocol.md §1); the server refuses any other.
const kProtocolVersion = 2;
// How long connect() waits for `joined` and publish() for `answer`.
const kReplyTimeoutMs = 15_000;
// The socket's heartbeat. A dead TCP connection says nothing (one from an
// address this host no longer has waits minutes for its timeout), so the
// SDK listens for silence: after kHeartbeatMs without a message from the
// server it sends a ping, and after kDeadAfterMs it gives the socket up and
// resumes the session on a new one (protocol.md §1c), which also restarts
// ICE. At most one ping per kHeartbeatMs: far below the server's rate limit,
// and it keeps idle proxies from closing the socket.
const kHeartbeatMs = 1_500;
const kDeadAfterMs = 3_000;
const kHeartbeatTickMs = 500;
// A socket closing this soon after a server error was closed because of it.
const kCloseAfterErrorMs = 5_000;
// Errors after which the server ends the session: a socket that closes
// after one is not resumed.
const kSessionEndingErrors = new Set(['kicked', 'revoked', 'room_ended', 'replaced', 'token_expired', 'denied',
  'shutting_down', 'unauthorized', 'resume_failed']);
// Resuming after the socket dropped: attempts this far apart (the first at
// once), each waiting this long for `resumed`; at most this many messages
// wait to be sent meanwhile.
const kResumeRetryMs = 1_000;
const kResumeReplyMs = 4_000;
const kMaxOutbox = 256;
// The errors the server answers a refused `publish` with (protocol.md §5).
// Errors carry no request id, and other messages are refused while a publish
// waits (e.g. `mls_stale_epoch` for an E2EE commit that lost its epoch):
// only these settle the waiter. A publish refused otherwise (`rate_limited`,
// `too_large`) times out instead of being failed by someone else's error.
// Errors from a server that sends no "re" and could answer a publish.
const kPublishErrors = new Set(['bad_sdp', 'forbidden', 'internal', 'too_many_tracks']);
// Same rule as the server (protocol.md §1): checked here so a typo in a room
// name fails with a clear message before anything is sent.
const kIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

// The server's ICE-lite candidates are in its SDP and it learns ours from
// our checks: no STUN server, no trickle. TURN relays, when the server has
// them, come in `joined` with a credential for this join (#useIceServers).
const kPeerConnectionConfig = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [] };

// An error the server reported (`code` from protocol.md §5) or one this SDK
// detected itself (`connection_closed`, `timeout`, `invalid_room`,
// `e2ee_unsupported`, `relay_unavailable`).
export class AegisError extends Error {
  constructor(code, message, field) {
    super(`${code}: ${message}`);
    this.name = 'AegisError';
    this.code = code;
    this.serverMessage = message;
    this.field = field;
  }
}

// Events carry their data as plain properties (like RTCTrackEvent does):
// e.participantId, e.track, e.kind, ...
export class AegisEvent extends Event {
  constructor(type, fields = {}) {
    super(type);
    Object.assign(this, fields);
  }
}

function defaultSignalingUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

// The server's participant object, kept as the SDK's own copy so that apps
// cannot change the SDK's state by mutating what they were given.
// identity: the token's `sub` (the name E2EE verification binds keys to).
const kSources = new Set(['camera', 'microphone', 'screen', 'screen_audio']);
const isScreenSource = (source) => source === 'screen' || source === 'screen_audio';

// The track id of a section's a=msid (<stream id> <track id>) in `sdp`, for
// the section with a=mid:`mid`; null if none.
export function msidTrackOf(sdp, mid) {
  if (typeof sdp !== 'string' || mid == null) return null;
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const lines = section.split(/\r?\n/);
    if (!lines.some((l) => l === `a=mid:${mid}`)) continue;
    const msid = lines.find((l) => l.startsWith('a=msid:'));
    const parts = msid ? msid.slice('a=msid:'.length).trim().split(/\s+/) : [];
    return parts[1] ?? null;
  }
  return null;
}

function toParticipant(p) {
  return {
    id: p.id,
    name: typeof p.name === 'string' ? p.name : '',
    identity: typeof p.identity === 'string' ? p.identity : null,
    tracks: new Map((p.tracks ?? []).map((t) => [t.id, t.kind])),
    // Track id -> source as the publisher signalled it (docs/protocol.md §3 publish "sources").
    sources: new Map((p.tracks ?? []).filter((t) => kSources.has(t.source)).map((t) => [t.id, t.source])),
    audioMuted: p.audio_muted === true,
    videoMuted: p.video_muted === true,
  };
}

function publicParticipant(p) {
  return {
    id: p.id, name: p.name, identity: p.identity,
    tracks: [...p.tracks].map(([id, kind]) => ({ id, kind, source: p.sources.get(id) ?? null })),
    audioMuted: p.audioMuted, videoMuted: p.videoMuted,
  };
}

// Events: participantjoined {participant}, participantleft {participantId,
// participant}, trackpublished / trackunpublished {participantId, trackId,
// kind, source}, track {participantId, track, kind, receiver, source}, trackremoved
// {participantId, track, kind}, tracksource {participantId, track, kind,
// source} (what a remote track is became known or changed: see
// sourceOf), screenshareended {reason: 'ended' | 'stopped'} (this
// participant's screen share stopped: the capture ended, e.g. through the
// browser's own "Stop sharing" button, or stopScreenShare()), error {code, message,
// field}, subscriberstatechange / publisherstatechange {state} (the
// connections' connectionState), closed {reason: 'left' | 'refused' |
// 'connection_closed', error?}; and the room's moderation: participantmuted
// {participantId, kind, muted} (a room admin's mute: the server forwards
// none of it), roomlocked {locked}, lobbychanged {waiting: [{id, name}]}
// (admins only), tokenexpiring {expiresInS} (connect's refreshToken option
// answers it by itself); reconnecting {} (the signaling socket dropped: the
// calls goes on while the SDK resumes the session, up to the server's grace
// period, 15 s) and reconnected {replayed} (resumed: the messages missed
// meanwhile were replayed); if resuming fails, closed {reason:
// 'connection_closed'} as before. With E2EE also: roomcodechange {code, epoch},
// rosterchange {members, unencrypted}, e2eestatus {encrypted, reason},
// chatmessage {participantId, identity, name, text, epoch}, e2eeerror {code,
// participantId?, message} (identity_key_changed: a verified member's key
// changed; refused, removed, failed, ...).
export class AegisRoom extends EventTarget {
  #ws;
  #publisher = null;
  #subscriber;
  #participants = new Map();
  // Receiver track id -> publisher participant id, learned from each
  // subscriber section's msid in ontrack. getStats() names receivers by track
  // id (inbound-rtp.trackIdentifier), so this is how stats find their owner.
  #trackOwner = new Map();
  // Subscriber offers are handled one at a time, in arrival order.
  #subscriberQueue = Promise.resolve();
  // Waiters for the server's `answer` to our `publish`, oldest first.
  #answerWaiters = [];
  // Request ids ("id" on a request, "re" on its answer or error).
  #nextRequestId = 1;
  #pingTimer = null;
  #closed = false;
  // publish() and setSending() one at a time (see #negotiate).
  #publishChain = Promise.resolve();
  // The first transceiver this client sent each kind on: the one
  // setSending() turns off and on.
  #mainTransceivers = new Map();
  // The screen share's own transceiver (reused by every later share) and
  // the track it sends, watched for the capture ending.
  #screenTransceiver = null;
  #screenTrack = null;
  #screenEnded = null;
  // RTCRtpReceiver -> { participantId, track, trackId, source, authenticated }
  // (see sourceOf): trackId from the section's msid, source as signalled
  // (or, in an E2EE room, as the frames' KID context says once they decrypt).
  #remoteSources = new Map();
  // The server's last error and when it came: `room_full` and
  // `shutting_down` are followed by the socket closing, and that error says
  // more than the close does.
  #lastError = null;
  #lastErrorAt = 0;
  #pcConfig;
  // E2EE: the frame worker and the key manager, when connected with e2ee.
  #transforms = null;
  #e2eeManager = null;

  participantId = null;
  roomId = null;
  // From `joined`: whether this participant holds room_admin (kick, mute,
  // lock, end, admit, deny), and whether the room takes new joins.
  isAdmin = false;
  locked = false;
  #lobby = new Map();  // admins: id -> {id, name} of joiners waiting
  #refreshToken = null;
  // Resumption (docs/protocol.md §1c): where and as whom to resume, the
  // secret and grace period from `joined`, the last "seq" read, and what
  // waits to be sent while the socket is down.
  #url = '';
  #room = '';
  #token = '';
  #resume = null;  // {token, graceMs}
  #lastSeq = 0;
  #reconnecting = false;
  #outbox = [];
  #replayLeft = 0;  // replayed messages still to read after `resumed`
  // ICE restarts when the network changes (ice_recovery.js); when the
  // server was last heard from, and the last ping (the heartbeat).
  #iceRecovery;
  #lastHeard = 0;
  #lastPing = 0;
  // With E2EE, a frozen object (see #startE2ee); otherwise null.
  e2ee = null;

  // Opens the signaling socket, joins `room` with `token` and resolves once
  // the server has answered `joined`. Rejects with an AegisError (e.g. code
  // `unauthorized` for a refused token, `e2ee_required` for a room that
  // needs E2EE joined without it) and leaves nothing open behind.
  //
  // e2ee: true encrypts every frame end to end (docs/e2ee.md) with keys from
  // the room's MLS group; mlsSuite picks the MLS cipher suite (the server's
  // room suite; default the SDK's, e2ee_mls.js DEFAULT_MLS_SUITE).
  // testHooks: true adds room.e2ee.exportKeyStateForTesting(), which hands
  // out keys: for browser tests only, never in an app.
  // onLobby: called when the room's lobby holds this joiner until a room
  // admin admits it (connect then waits without a time limit; `denied`
  // rejects). refreshToken: async () => a fresh token, asked for when the
  // server says the current one expires within a minute.
  // relayOnly: true sends media only through the server's TURN relay
  // (iceTransportPolicy 'relay'), so this device's own addresses never
  // reach the media server; connect fails with `relay_unavailable` if the
  // server offers no relay. A relay-only room (joined.relay_only, the
  // room's policy) makes it so whatever this option says.
  static async connect({ url = defaultSignalingUrl(), room, token, e2ee = false, testHooks = false, onLobby = null,
                         refreshToken = null, mlsSuite = undefined, relayOnly = false }) {
    if (typeof room !== 'string' || !kIdPattern.test(room)) {
      throw new AegisError('invalid_room', 'a room id is 1-64 characters of A-Z a-z 0-9 _ -');
    }
    if (typeof token !== 'string' || token === '') throw new AegisError('unauthorized', 'no token');
    if (e2ee && !e2eeSupported()) {
      throw new AegisError('e2ee_unsupported', 'this browser cannot encrypt end to end (no encoded transforms or WebCrypto)');
    }
    // E2EE: the signature key and the KeyPackage exist before anything is sent.
    let prepared = null;
    if (e2ee) {
      try {
        prepared = await E2eeManager.prepare({ token, suite: mlsSuite });
      } catch (e) {
        throw new AegisError('e2ee_unsupported', `cannot prepare end-to-end encryption: ${e.message}`);
      }
    }
    const ws = new WebSocket(url);
    const self = new AegisRoom(ws, { e2ee: Boolean(e2ee), relayOnly: Boolean(relayOnly) });
    self.#refreshToken = typeof refreshToken === 'function' ? refreshToken : null;
    self.#url = url;
    self.#room = room;
    self.#token = token;
    try {
      const joined = await self.#join(room, token, prepared?.member ?? null, onLobby);
      // Synchronously after `joined` (no message can be handled in between),
      // so the key manager sees every message that follows.
      if (prepared) self.#startE2ee(prepared, joined, Boolean(testHooks));
    } catch (e) {
      self.#shutdown('refused', e);
      throw e;
    }
    return self;
  }

  // Internal: use AegisRoom.connect().
  constructor(ws, { e2ee = false, relayOnly = false } = {}) {
    super();
    this.#ws = ws;
    // E2EE: Chromium's older encoded-streams API works only on connections
    // created with this option (RTCRtpScriptTransform needs nothing).
    this.#pcConfig = e2ee && needsInsertableStreamsOption()
      ? { ...kPeerConnectionConfig, encodedInsertableStreams: true } : { ...kPeerConnectionConfig };
    if (relayOnly) this.#pcConfig.iceTransportPolicy = 'relay';
    // Created before joining so that a subscriber offer arriving right after
    // `joined` finds its connection ready.
    this.#subscriber = new RTCPeerConnection(this.#pcConfig);
    this.#subscriber.addEventListener('track', (e) => this.#onRemoteTrack(e));
    this.#subscriber.addEventListener('connectionstatechange', () => {
      this.dispatchEvent(new AegisEvent('subscriberstatechange', { state: this.#subscriber.connectionState }));
    });
    this.#iceRecovery = new IceRecovery({ restart: (which) => this.#restartIce(which) });
    this.#iceRecovery.watch('subscriber', this.#subscriber);
  }

  get participants() {
    return [...this.#participants.values()].map(publicParticipant);
  }

  // The participant with this id, or null when nobody in the room has it
  // (e.g. it left while a subscriber offer carrying its tracks was in flight).
  getParticipant(id) {
    const p = this.#participants.get(id);
    return p ? publicParticipant(p) : null;
  }

  // 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed':
  // all remote media arrives over this one connection.
  get subscriberState() {
    return this.#subscriber.connectionState;
  }

  get publisherState() {
    return this.#publisher?.connectionState ?? 'new';
  }

  // The TURN relays in `joined` (credentials minted for this join), for both
  // connections: the subscriber connection exists already and has not
  // gathered yet (its offer comes after `joined`), the publisher connection
  // is made later from #pcConfig.
  // `relayOnly`: the room's policy (joined.relay_only) asks for relay-only
  // media whatever this client chose; the server ignores direct checks.
  #useIceServers(servers, relayOnly = false) {
    if (relayOnly) this.#pcConfig.iceTransportPolicy = 'relay';
    const iceServers = (Array.isArray(servers) ? servers : [])
      .filter((s) => Array.isArray(s?.urls) && s.urls.every((u) => typeof u === 'string'))
      .map((s) => ({ urls: s.urls, username: String(s.username ?? ''), credential: String(s.credential ?? '') }));
    if (this.#pcConfig.iceTransportPolicy === 'relay' && iceServers.length === 0) {
      throw new AegisError('relay_unavailable', 'relay-only media needs a TURN relay, and this server offers none');
    }
    this.#pcConfig.iceServers = iceServers;
    this.#subscriber.setConfiguration(this.#pcConfig);
  }

  #join(room, token, mlsMember, onLobby) {
    return new Promise((resolve, reject) => {
      let timer = setTimeout(() => reject(new AegisError('timeout', 'no reply to join')), kReplyTimeoutMs);
      const settle = (fn, value) => {
        clearTimeout(timer);
        this.#ws.removeEventListener('message', onFirst);
        this.#ws.removeEventListener('close', onEarlyClose);
        fn(value);
      };
      // Until `joined`, an error is the join's refusal, not an event.
      const onFirst = (event) => {
        const msg = this.#parse(event.data);
        if (msg?.type === 'error') {
          settle(reject, new AegisError(msg.code, msg.message ?? '', msg.field));
        } else if (msg?.type === 'lobby') {
          // Waiting for a person, not for the server: no time limit.
          clearTimeout(timer);
          timer = null;
          if (typeof onLobby === 'function') onLobby();
        } else if (msg?.type === 'joined') {
          try {
            this.#useIceServers(msg.ice_servers, msg.relay_only === true);
          } catch (e) {
            settle(reject, e);
            return;
          }
          this.participantId = msg.participant_id;
          this.roomId = msg.room;
          this.isAdmin = msg.admin === true;
          this.locked = msg.locked === true;
          for (const p of msg.lobby ?? []) this.#lobby.set(p.id, { id: p.id, name: String(p.name ?? '') });
          for (const p of msg.participants ?? []) this.#participants.set(p.id, toParticipant(p));
          if (typeof msg.resume?.token === 'string' && Number.isFinite(msg.resume.grace_s)) {
            this.#resume = { token: msg.resume.token, graceMs: msg.resume.grace_s * 1000 };
          }
          if (Number.isSafeInteger(msg.seq)) this.#lastSeq = msg.seq;
          this.#listen(this.#ws);
          this.#lastHeard = performance.now();
          this.#pingTimer = setInterval(() => this.#heartbeat(), kHeartbeatTickMs);
          settle(resolve, msg);
        }
        // Anything else before `joined` would be a server bug; ignore it.
      };
      const onEarlyClose = (e) => {
        settle(reject, new AegisError('connection_closed', `signaling closed before joining (${e.code})`));
      };
      this.#ws.addEventListener('message', onFirst);
      this.#ws.addEventListener('close', onEarlyClose);
      this.#ws.addEventListener('open', () => {
        // Room, identity, name and grants come from the token; `room` must
        // name the token's room, so a token cannot be replayed elsewhere.
        // E2EE: the KeyPackage rides on the join.
        const e2eeFields = mlsMember ? { e2ee: true, key_package: mlsMember.keyPackageBlob } : {};
        this.#send({ type: 'join', room, token, resumable: true, ...e2eeFields });
      }, { once: true });
    });
  }

  // Sends every track of `stream` (sendonly). Calling it again with more
  // tracks renegotiates the publisher connection. Resolves once the server
  // has accepted the offer. Publishes and setSending() calls run one at a
  // time, in call order.
  publish(stream) {
    return this.#negotiate((pc) => {
      const sending = new Set(pc.getSenders().map((s) => s.track));
      for (const track of stream.getTracks()) {
        if (sending.has(track)) continue;
        this.#addSender(pc, track, stream);
      }
      return true;
    });
  }

  // Turning one's own microphone or camera off and on, so that everyone sees
  // it (protocol.md has no message for a participant's own mute, and the
  // server refuses types and fields it does not define, so the state travels
  // as publishing, which every participant already hears about):
  //
  //   setSending(kind, null)   stops sending `kind` ('audio' | 'video'): the
  //       sender drops its track and its transceiver turns 'inactive'; the
  //       publisher renegotiates, the server ends the track and tells the
  //       room (track_unpublished). Nothing of that kind leaves this browser
  //       any more: no silent packets, no black frames (unlike
  //       track.enabled = false, which keeps sending them).
  //   setSending(kind, track)  sends `track` as this participant's `kind`
  //       again, on the same transceiver ('sendonly'), or on a new one if it
  //       never sent that kind; the server announces a new track
  //       (track_published) and the subscribers receive it in their next offer.
  //
  // Receivers therefore read a participant's microphone and camera state
  // from what it publishes: participant.tracks (kept up to date by
  // track_published / track_unpublished, with the trackpublished /
  // trackunpublished events) holds an audio track only while its microphone
  // is on, a video track only while its camera is on. A participant that has
  // no such device looks the same as one that turned it off; either way
  // nothing of that kind arrives.
  //
  // Each turn-on is a new track for the server, which allows a burst of 8 and
  // then one per second per participant: faster toggling is refused
  // (rate_limited) and this rejects with that AegisError, leaving the kind off.
  // With E2EE the sender keeps its SFrame transform across the change.
  setSending(kind, track) {
    if (kind !== 'audio' && kind !== 'video') return Promise.reject(new TypeError(`kind must be audio or video, not ${kind}`));
    if (track && track.kind !== kind) return Promise.reject(new TypeError(`a ${track.kind} track cannot be sent as ${kind}`));
    return this.#negotiate(async (pc) => {
      const transceiver = this.#mainTransceivers.get(kind);
      if (!track) {
        if (!transceiver || transceiver.direction === 'inactive') return false;
        await transceiver.sender.replaceTrack(null);
        transceiver.direction = 'inactive';
        return true;
      }
      if (!transceiver) {
        this.#addSender(pc, track, new MediaStream([track]));
        return true;
      }
      if (transceiver.sender.track === track && transceiver.direction === 'sendonly') return false;
      await transceiver.sender.replaceTrack(track);
      if (transceiver.direction === 'sendonly') return false;
      transceiver.direction = 'sendonly';
      return true;
    }).catch(async (e) => {
      // Refused (e.g. rate_limited): the kind stays off, as the server has it.
      const transceiver = this.#mainTransceivers.get(kind);
      if (track && transceiver && !this.#closed && transceiver.direction === 'sendonly') {
        await transceiver.sender.replaceTrack(null).catch(() => {});
        transceiver.direction = 'inactive';
      }
      throw e;
    });
  }

  // Whether this participant currently sends `kind` (its setSending state).
  isSending(kind) {
    const t = this.#mainTransceivers.get(kind);
    return Boolean(t && t.direction !== 'inactive' && t.sender.track);
  }

  // Screen sharing. shareScreen(track) sends `track` (a video track, e.g.
  // from getDisplayMedia) as this participant's screen share: a video track
  // of its own beside the camera, on its own transceiver (setSending never
  // touches it, and it is never the camera's). Resolves once the server has
  // accepted it; the others get track_published like for any track. Sharing
  // again while sharing swaps the track without renegotiating.
  //
  // How the others know it is a screen: the publish names each section's
  // source ("sources": the screen's mid -> "screen", the others camera /
  // microphone; docs/protocol.md §3), and the server announces it with the
  // track (track_published.source, the participant's tracks). With E2EE the
  // mark also rides in every frame: the screen's sender encrypts under a
  // screen KID context (e2ee_mls_keys.js isScreenContext), which is
  // authenticated and which receivers read from the first frame they decrypt;
  // where it disagrees with the signalled source, the authenticated one wins
  // (an e2eeerror 'source_mismatch' says so).
  //
  // The share ends by stopScreenShare(), or by itself when the track ends
  // (the browser's own "Stop sharing" button, the shared window closing):
  // the SDK then unpublishes it and fires screenshareended {reason: 'ended'}.
  // The caller owns the track: stop it after stopScreenShare() so that the
  // browser's capture indicator goes away.
  shareScreen(track) {
    if (track?.kind !== 'video') return Promise.reject(new TypeError('a screen share is a video track'));
    if (track.readyState === 'ended') return Promise.reject(new TypeError('the screen track has already ended'));
    // Encoders keep a screen's detail (text) rather than its motion.
    if ('contentHint' in track && !track.contentHint) track.contentHint = 'detail';
    return this.#negotiate(async (pc) => {
      if (track.readyState === 'ended') throw new TypeError('the screen track has already ended');
      this.#watchScreen(track);
      const t = this.#screenTransceiver;
      if (!t) {
        this.#screenTransceiver = this.#addSender(pc, track, new MediaStream([track]), { screen: true });
        return true;
      }
      await t.sender.replaceTrack(track);
      if (t.direction === 'sendonly') return false;
      t.direction = 'sendonly';
      return true;
    }).catch(async (e) => {
      // Refused (e.g. rate_limited): nothing is shared, as the server has it.
      if (this.#screenTrack === track) await this.#dropScreen(null);
      throw e;
    });
  }

  // Stops sharing the screen (the server announces track_unpublished to the
  // others, whose screen tile goes). Does not stop the track.
  stopScreenShare() {
    return this.#negotiate(() => this.#dropScreen('stopped'));
  }

  // Whether this participant shares its screen now.
  isSharingScreen() {
    const t = this.#screenTransceiver;
    return Boolean(t && t.direction === 'sendonly' && t.sender.track);
  }

  // What a remote track (from a 'track' event) carries: 'screen',
  // 'screen_audio', 'camera' or 'microphone' once known, else null. From
  // signaling (the publisher's "sources", see shareScreen), and in an E2EE
  // room checked against the first frame that decrypts; 'tracksource' fires
  // when it becomes known or changes (a receiver the server reuses for
  // another track takes that track's source).
  sourceOf(track) {
    for (const entry of this.#remoteSources.values()) if (entry.track === track) return entry.source;
    return null;
  }

  // Unpublishes the screen share (inside #negotiate): true when that needs
  // an offer. reason: for screenshareended (null: no event).
  async #dropScreen(reason) {
    this.#unwatchScreen();
    const t = this.#screenTransceiver;
    if (!t || this.#closed || t.direction === 'inactive') return false;
    await t.sender.replaceTrack(null);
    t.direction = 'inactive';
    if (reason) this.dispatchEvent(new AegisEvent('screenshareended', { reason }));
    return true;
  }

  // The browser ends a capture track (its "Stop sharing" button, the window
  // closed) with readyState 'ended' and an 'ended' event; the SDK then stops
  // the share itself.
  #watchScreen(track) {
    if (this.#screenTrack === track) return;
    this.#unwatchScreen();
    const onEnded = () => {
      if (this.#screenTrack !== track) return;
      if (this.#closed) return;
      // Unless a newer share replaced this track meanwhile.
      this.#negotiate(() => (this.#screenTrack === track ? this.#dropScreen('ended') : false)).catch((e) => {
        this.#reportError(e instanceof AegisError ? e : new AegisError('negotiation_failed', `stopping the screen share: ${e.message}`));
      });
    };
    track.addEventListener('ended', onEnded);
    this.#screenTrack = track;
    this.#screenEnded = onEnded;
  }

  #unwatchScreen() {
    this.#screenTrack?.removeEventListener('ended', this.#screenEnded);
    this.#screenTrack = null;
    this.#screenEnded = null;
  }

  #addSender(pc, track, stream, { screen = false } = {}) {
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    preferCodec(transceiver, track.kind === 'video' ? 'video/VP8' : 'audio/opus');
    // E2EE: before the offer, so no frame is ever sent unencrypted. A
    // screen's KID context marks it as one.
    this.#transforms?.attachSender(transceiver.sender, track.kind, { screen });
    if (!screen && !this.#mainTransceivers.has(track.kind)) this.#mainTransceivers.set(track.kind, transceiver);
    return transceiver;
  }

  // Runs `change(pc)` on the publisher connection after every earlier
  // publish/setSending has settled; when it returns true, offers the result
  // to the server and applies its answer.
  #negotiate(change) {
    const run = this.#publishChain.then(async () => {
      if (this.#closed) throw new AegisError('connection_closed', 'the room was left');
      if (!this.#publisher) {
        this.#publisher = new RTCPeerConnection(this.#pcConfig);
        this.#publisher.addEventListener('connectionstatechange', () => {
          this.dispatchEvent(new AegisEvent('publisherstatechange', { state: this.#publisher.connectionState }));
        });
        this.#iceRecovery.watch('publisher', this.#publisher);
      }
      const pc = this.#publisher;
      if (!(await change(pc))) return;
      await pc.setLocalDescription(await pc.createOffer());
      // No need to wait for ICE gathering: the server ignores our candidates
      // (it learns our address from our connectivity checks).
      const id = this.#nextRequestId++;
      const sources = this.#publishSources(pc);
      const message = { type: 'publish', sdp: pc.localDescription.sdp, id, ...(sources ? { sources } : {}) };
      const answer = this.#waitForAnswer(id, message);
      this.#send(message);
      // Refused: the connection stays at its local offer; the next one
      // replaces it.
      await pc.setRemoteDescription({ type: 'answer', sdp: await answer });
    });
    this.#publishChain = run.catch(() => {});
    return run;
  }

  // The publish's "sources" (docs/protocol.md §3): once a screen transceiver
  // exists, each sending section's mid -> 'screen' for it, camera or
  // microphone for the others; else none (the server defaults by kind).
  #publishSources(pc) {
    if (!this.#screenTransceiver?.mid) return null;
    const sources = {};
    let n = 0;
    for (const t of pc.getTransceivers()) {
      if (t.mid == null || !t.sender?.track || n >= 16) continue;
      sources[t.mid] = t === this.#screenTransceiver ? 'screen' : t.sender.track.kind === 'audio' ? 'microphone' : 'camera';
      n++;
    }
    return sources;
  }

  // E2EE counters per participant id (see room.e2ee); {} without E2EE.
  async getE2eeStats() {
    return this.#e2eeManager ? this.#e2eeManager.stats() : {};
  }

  // Leaves the room: tells the server, then closes both connections. The
  // caller still owns (and should stop) the tracks it published.
  leave() {
    if (this.#closed) return;
    if (this.#reconnecting) {
      // No socket to say it on: resume on a last one only to leave, so the
      // others see it go now rather than when the grace period ends.
      this.#resumeToLeave();
    } else {
      this.#send({ type: 'leave' });
    }
    this.#shutdown('left');
  }

  // Best effort, nobody waits for it: resume, then leave and close.
  #resumeToLeave() {
    let ws;
    try {
      ws = new WebSocket(this.#url);
    } catch {
      return;
    }
    const resume = {
      v: kProtocolVersion, type: 'resume', room: this.#room, token: this.#token,
      participant_id: this.participantId, resume_token: this.#resume.token, last_seq: this.#lastSeq,
    };
    const timer = setTimeout(() => ws.close(1000), kResumeReplyMs);
    ws.addEventListener('open', () => ws.send(JSON.stringify(resume)), { once: true });
    ws.addEventListener('message', (event) => {
      if (this.#parse(event.data)?.type !== 'resumed') return;
      clearTimeout(timer);
      ws.send(JSON.stringify({ v: kProtocolVersion, type: 'leave' }));
      ws.close(1000);
    });
  }

  // Joiners waiting in the lobby (room admins only): [{id, name}].
  get lobby() {
    return [...this.#lobby.values()].map((p) => ({ ...p }));
  }

  // Room administration (needs the room_admin grant; the server answers a
  // refusal with an 'error' event, code forbidden or unknown_participant).
  async kick(participantId) { this.#sendAdmin({ type: 'kick', participant_id: participantId }); }
  // kind: 'audio' | 'video'. The server stops forwarding that participant's
  // media of this kind and tells everyone (participantmuted).
  async mute(participantId, kind, muted = true) {
    this.#sendAdmin({ type: 'mute', participant_id: participantId, kind, muted: Boolean(muted) });
  }
  async lock(locked = true) { this.#sendAdmin({ type: 'lock', locked: Boolean(locked) }); }
  async end() { this.#sendAdmin({ type: 'end' }); }
  async admit(participantId) { this.#sendAdmin({ type: 'admit', participant_id: participantId }); }
  async deny(participantId) { this.#sendAdmin({ type: 'deny', participant_id: participantId }); }

  // A fresh token for this room and identity keeps the session past the
  // current token's expiry.
  async refreshToken(token) {
    if (typeof token !== 'string' || !token) throw new AegisError('unauthorized', 'no token');
    if (!this.#send({ type: 'refresh', token })) throw new AegisError('not_connected', 'the signaling socket is closed');
    this.#token = token;  // what a resume presents
  }

  // Whether the signaling socket dropped and the SDK is resuming the session.
  get reconnecting() {
    return this.#reconnecting;
  }

  #sendAdmin(message) {
    if (!this.isAdmin) throw new AegisError('forbidden', 'this participant does not hold room_admin');
    if (!this.#send(message)) throw new AegisError('not_connected', 'the signaling socket is closed');
  }

  // Per remote participant id: what arrived so far, summed over that
  // participant's receivers: { videoFramesDecoded, videoPacketsReceived,
  // videoBytesReceived, audioSamplesReceived, audioPacketsReceived,
  // audioBytesReceived, audioEnergy (totalAudioEnergy: what was heard, not
  // concealed silence), packetsReceived }. Counters only grow, so a caller
  // compares two calls to see whether media is flowing.
  async getRemoteStats() {
    const owners = this.#midOwners();  // for stats without trackIdentifier
    const out = {};
    const report = await this.#subscriber.getStats();
    report.forEach((r) => {
      if (r.type !== 'inbound-rtp') return;
      // The server reuses an ended track's section (once this client has
      // answered it inactive) for the next track of its kind: the receiver
      // and its track stay, the SSRC is new, so the new stream gets fresh
      // counters; a report that still lists the old SSRC counts it for the
      // new owner.
      // A stream whose publisher is unknown (a section without msid) counts
      // under '?', so that nothing received goes uncounted.
      const owner = this.#trackOwner.get(r.trackIdentifier) ?? owners.get(r.mid) ?? '?';
      const s = (out[owner] ??= {
        videoFramesDecoded: 0, videoPacketsReceived: 0, videoBytesReceived: 0,
        audioSamplesReceived: 0, audioPacketsReceived: 0, audioBytesReceived: 0, audioEnergy: 0, packetsReceived: 0,
      });
      s.packetsReceived += r.packetsReceived ?? 0;
      if (r.kind === 'video') {
        s.videoFramesDecoded += r.framesDecoded ?? 0;
        s.videoPacketsReceived += r.packetsReceived ?? 0;
        s.videoBytesReceived += r.bytesReceived ?? 0;
      } else if (r.kind === 'audio') {
        s.audioSamplesReceived += r.totalSamplesReceived ?? 0;
        s.audioPacketsReceived += r.packetsReceived ?? 0;
        s.audioBytesReceived += r.bytesReceived ?? 0;
        s.audioEnergy += r.totalAudioEnergy ?? 0;
      }
    });
    return out;
  }

  // Call-quality figures from the browser's own statistics (getStats of both
  // connections), for indicators and plots. Counters (bytes, packets,
  // frames, audio energy) only grow: compare two calls for rates. `at` is
  // the report's time in ms (performance.now() clock).
  //   local:  what this participant sends: bytesSent, packetsSent,
  //           framesEncoded, framesPerSecond (camera), and from the server's
  //           receiver reports packetsLost, fractionLost (0..1, the worst
  //           stream's latest) and rttMs (RTCP round trip, else the ICE
  //           pair's); audioEnergy/audioDuration of the microphone (media
  //           source) while it is sent
  //   remote: per participant id: bytesReceived, packetsReceived,
  //           packetsLost, jitterMs (the worse of audio and video),
  //           framesDecoded, framesPerSecond, frameWidth, frameHeight,
  //           audioEnergy, audioDuration (totalAudioEnergy /
  //           totalSamplesDuration of its audio), audioLevel (0..1)
  //   rttMs:  the receive connection's round trip to the server (ICE pair)
  // { local: false } skips the sending side (one getStats instead of two),
  // for callers that poll what arrives often (who is speaking); `local`
  // is then null.
  async getCallStats({ local: withLocal = true } = {}) {
    const at = performance.now();
    const owners = this.#midOwners();
    const remote = {};
    let rttMs = null;
    const report = await this.#subscriber.getStats();
    report.forEach((r) => {
      if (r.type === 'candidate-pair' && r.nominated && typeof r.currentRoundTripTime === 'number') {
        rttMs = r.currentRoundTripTime * 1000;
      }
      if (r.type !== 'inbound-rtp') return;
      const owner = this.#trackOwner.get(r.trackIdentifier) ?? owners.get(r.mid);
      if (!owner) return;
      const s = (remote[owner] ??= {
        bytesReceived: 0, packetsReceived: 0, packetsLost: 0, jitterMs: 0, framesDecoded: 0, framesPerSecond: 0,
        frameWidth: 0, frameHeight: 0, audioEnergy: 0, audioDuration: 0, audioLevel: 0,
      });
      s.bytesReceived += r.bytesReceived ?? 0;
      s.packetsReceived += r.packetsReceived ?? 0;
      s.packetsLost += Math.max(0, r.packetsLost ?? 0);
      s.jitterMs = Math.max(s.jitterMs, (r.jitter ?? 0) * 1000);
      if (r.kind === 'video') {
        s.framesDecoded += r.framesDecoded ?? 0;
        s.framesPerSecond = Math.max(s.framesPerSecond, r.framesPerSecond ?? 0);
        s.frameWidth = Math.max(s.frameWidth, r.frameWidth ?? 0);
        s.frameHeight = Math.max(s.frameHeight, r.frameHeight ?? 0);
      } else if (r.kind === 'audio') {
        s.audioEnergy += r.totalAudioEnergy ?? 0;
        s.audioDuration += r.totalSamplesDuration ?? 0;
        s.audioLevel = Math.max(s.audioLevel, r.audioLevel ?? 0);
      }
    });
    if (!withLocal) return { at, local: null, remote, rttMs };
    const local = {
      bytesSent: 0, packetsSent: 0, framesEncoded: 0, framesPerSecond: 0, packetsLost: 0, fractionLost: 0, rttMs: null,
      audioEnergy: 0, audioDuration: 0,
    };
    if (this.#publisher) {
      let pairRtt = null;
      let rtcpRtt = null;
      const sent = new Set(this.#publisher.getSenders().filter((x) => x.track).map((x) => x.track.id));
      (await this.#publisher.getStats()).forEach((r) => {
        if (r.type === 'outbound-rtp') {
          local.bytesSent += r.bytesSent ?? 0;
          local.packetsSent += r.packetsSent ?? 0;
          if (r.kind === 'video') {
            local.framesEncoded += r.framesEncoded ?? 0;
            local.framesPerSecond = Math.max(local.framesPerSecond, r.framesPerSecond ?? 0);
          }
        } else if (r.type === 'remote-inbound-rtp') {
          local.packetsLost += Math.max(0, r.packetsLost ?? 0);
          local.fractionLost = Math.max(local.fractionLost, r.fractionLost ?? 0);
          if (typeof r.roundTripTime === 'number') rtcpRtt = Math.max(rtcpRtt ?? 0, r.roundTripTime * 1000);
        } else if (r.type === 'candidate-pair' && r.nominated && typeof r.currentRoundTripTime === 'number') {
          pairRtt = r.currentRoundTripTime * 1000;
        } else if (r.type === 'media-source' && r.kind === 'audio' && sent.has(r.trackIdentifier)) {
          local.audioEnergy += r.totalAudioEnergy ?? 0;
          local.audioDuration += r.totalSamplesDuration ?? 0;
        }
      });
      local.rttMs = rtcpRtt ?? pairRtt;
    }
    return { at, local, remote, rttMs };
  }

  // Subscriber mid -> publisher participant id, for stats without trackIdentifier.
  #midOwners() {
    const owners = new Map();
    for (const t of this.#subscriber.getTransceivers()) {
      const owner = this.#trackOwner.get(t.receiver.track.id);
      if (owner && t.mid !== null) owners.set(t.mid, owner);
    }
    return owners;
  }

  // An ICE restart (protocol.md §2): the publisher offers with new
  // credentials, the subscriber asks the server for such an offer.
  #restartIce(which) {
    if (which === 'subscriber') {
      this.#send({ type: 'restart_ice' });
      return;
    }
    this.#negotiate((pc) => {
      pc.restartIce();
      return true;
    }).catch((e) => this.#reportError(e instanceof AegisError ? e : new AegisError('negotiation_failed', `ICE restart: ${e.message}`)));
  }

  // Every kHeartbeatTickMs (see kHeartbeatMs): a ping after silence, and a
  // socket silent for kDeadAfterMs given up for a resumed one.
  #heartbeat() {
    if (this.#closed || this.#reconnecting) return;
    const now = performance.now();
    if (now - this.#lastHeard >= kDeadAfterMs && this.#resume) {
      const ws = this.#ws;
      this.#onSocketClose({ code: 4000, reason: `nothing from the server for ${kDeadAfterMs / 1000} s` });
      ws.close();
    } else if (now - this.#lastHeard >= kHeartbeatMs && now - this.#lastPing >= kHeartbeatMs) {
      this.#lastPing = now;
      this.#send({ type: 'ping' });
    }
  }

  #send(fields) {
    if (this.#reconnecting) {
      // Sent once resumed, in order (the server's replay covers the other way).
      if (this.#outbox.length >= kMaxOutbox) return false;
      this.#outbox.push(fields);
      return true;
    }
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify({ v: kProtocolVersion, ...fields }));
    return true;
  }

  #listen(ws) {
    ws.addEventListener('message', (e) => { if (ws === this.#ws) this.#onMessage(e.data); });
    ws.addEventListener('close', (e) => { if (ws === this.#ws) this.#onSocketClose(e); });
  }

  #parse(data) {
    if (typeof data !== 'string') return null;
    try {
      const msg = JSON.parse(data);
      return msg && typeof msg === 'object' && typeof msg.type === 'string' ? msg : null;
    } catch {
      return null;
    }
  }

  #onMessage(data) {
    const msg = this.#parse(data);
    if (!msg || this.#closed) return;
    // A pong's seq echoes a ping's, not the server's numbering (§1c).
    if (msg.type !== 'pong' && Number.isSafeInteger(msg.seq)) this.#lastSeq = msg.seq;
    this.#lastHeard = performance.now();
    if (this.#replayLeft > 0 && --this.#replayLeft === 0) queueMicrotask(() => this.#resendLost());
    // E2EE: the MLS member sees participants come and go, and every mls_* message.
    this.#e2eeManager?.handleServerMessage(msg);
    switch (msg.type) {
      case 'participant_joined': {
        const p = toParticipant(msg.participant);
        this.#participants.set(p.id, p);
        this.dispatchEvent(new AegisEvent('participantjoined', { participant: publicParticipant(p) }));
        break;
      }
      case 'participant_left': {
        const p = this.#participants.get(msg.participant_id);
        this.#participants.delete(msg.participant_id);
        // Announced right away; the subscriber offer that ends this
        // participant's sections follows separately.
        this.dispatchEvent(new AegisEvent('participantleft', {
          participantId: msg.participant_id, participant: p ? publicParticipant(p) : null,
        }));
        break;
      }
      case 'track_published': {
        const p = this.#participants.get(msg.participant_id);
        const source = kSources.has(msg.source) ? msg.source : null;
        p?.tracks.set(msg.track_id, msg.kind);
        if (source) p?.sources.set(msg.track_id, source);
        this.dispatchEvent(new AegisEvent('trackpublished', {
          participantId: msg.participant_id, trackId: msg.track_id, kind: msg.kind, source,
        }));
        // A receiver that got this track before its announcement learns its source now.
        if (source) {
          for (const [receiver, entry] of this.#remoteSources) {
            if (entry.trackId === msg.track_id && entry.participantId === msg.participant_id) {
              this.#setSource(receiver, entry, { signalled: source });
            }
          }
        }
        break;
      }
      case 'track_unpublished': {
        const tracks = this.#participants.get(msg.participant_id)?.tracks;
        const kind = tracks?.get(msg.track_id);
        tracks?.delete(msg.track_id);
        this.#participants.get(msg.participant_id)?.sources.delete(msg.track_id);
        this.dispatchEvent(new AegisEvent('trackunpublished', {
          participantId: msg.participant_id, trackId: msg.track_id, kind,
        }));
        break;
      }
      case 'answer': {
        const waiter = this.#takeWaiter(msg.re);
        waiter?.resolve(msg.sdp);
        break;
      }
      case 'offer':
        this.#subscriberQueue = this.#subscriberQueue
          .then(() => this.#answerSubscriberOffer(msg.sdp))
          .catch((e) => this.#reportError(new AegisError('negotiation_failed', `subscriber offer: ${e.message}`)));
        break;
      case 'muted': {
        const p = this.#participants.get(msg.participant_id);
        if (p) p[msg.kind === 'video' ? 'videoMuted' : 'audioMuted'] = msg.muted === true;
        this.dispatchEvent(new AegisEvent('participantmuted', {
          participantId: msg.participant_id, kind: msg.kind, muted: msg.muted === true,
        }));
        break;
      }
      case 'locked':
        this.locked = msg.locked === true;
        this.dispatchEvent(new AegisEvent('roomlocked', { locked: this.locked }));
        break;
      case 'lobby_joined':
      case 'lobby_left':
        if (msg.type === 'lobby_joined' && msg.participant) {
          this.#lobby.set(msg.participant.id, { id: msg.participant.id, name: String(msg.participant.name ?? '') });
        } else {
          this.#lobby.delete(msg.participant_id);
        }
        this.dispatchEvent(new AegisEvent('lobbychanged', { waiting: this.lobby }));
        break;
      case 'token_expiring':
        this.dispatchEvent(new AegisEvent('tokenexpiring', { expiresInS: msg.expires_in_s }));
        if (this.#refreshToken) {
          Promise.resolve().then(() => this.#refreshToken())
            .then((fresh) => { if (typeof fresh === 'string' && fresh) this.refreshToken(fresh); })
            .catch((e) => this.#reportError(new AegisError('refresh_failed', `no fresh token: ${e.message}`)));
        }
        break;
      case 'error': {
        const error = new AegisError(msg.code, msg.message ?? '', msg.field);
        // An error names the request it refuses ("re"); from a server that
        // does not, only some errors can answer a waiting publish.
        if (typeof msg.re === 'number') this.#takeWaiter(msg.re)?.reject(error);
        else if (kPublishErrors.has(error.code)) this.#answerWaiters.shift()?.reject(error);
        this.#lastError = error;
        this.#lastErrorAt = performance.now();
        this.#reportError(error);
        break;
      }
      default:
        break;  // pong, and types a newer server may add
    }
  }

  async #answerSubscriberOffer(sdp) {
    const pc = this.#subscriber;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    this.#send({ type: 'subscribe_answer', sdp: pc.localDescription.sdp });
  }

  #onRemoteTrack(event) {
    // Each subscriber section carries a=msid:<publisher participant id>
    // <track id>, so the stream id names the publisher.
    const stream = event.streams[0];
    const participantId = stream?.id ?? null;
    const { track, receiver } = event;
    // E2EE: first, before any frame can reach the decoder. A track without a
    // publisher id gets a transform bound to nobody: it decrypts nothing.
    this.#transforms?.attachReceiver(receiver, participantId, track.kind);
    if (participantId) this.#trackOwner.set(track.id, participantId);
    // The server's track id is the section's msid track id; its source was
    // announced with it (track_published, or the participant object).
    const mid = event.transceiver?.mid ?? null;
    const trackId = msidTrackOf(this.#subscriber.remoteDescription?.sdp, mid) ?? track.id;
    const signalled = (participantId && this.#participants.get(participantId)?.sources.get(trackId)) ?? null;
    // A reused receiver carries a new track: its source as signalled, the
    // authenticated one unknown until its first frame.
    const entry = { participantId, track, trackId, source: signalled, signalled, authenticated: null };
    this.#remoteSources.set(receiver, entry);
    // A section turned inactive removes its track from the stream (the
    // track itself is not ended, its transceiver may come back).
    stream?.addEventListener('removetrack', (e) => {
      if (e.track !== track) return;
      this.dispatchEvent(new AegisEvent('trackremoved', { participantId, track, kind: track.kind }));
    });
    this.dispatchEvent(new AegisEvent('track', { participantId, track, kind: track.kind, receiver, source: signalled }));
  }

  // E2EE: the worker saw `receiver`'s frames decrypt under KID `context`.
  #onFrameContext(receiver, participantId, context) {
    const entry = this.#remoteSources.get(receiver);
    if (!entry || entry.participantId !== participantId || this.#closed) return;
    const { track } = entry;
    const screen = isScreenContext(context);
    const authenticated = screen ? (track.kind === 'audio' ? 'screen_audio' : 'screen')
                                 : track.kind === 'audio' ? 'microphone' : 'camera';
    this.#setSource(receiver, entry, { authenticated });
  }

  // Records what `entry`'s track is said to be (signalled) or shown to be
  // (authenticated: the E2EE KID context, which only tells screen from
  // not-screen). The authenticated one wins a disagreement, reported once
  // per track as an e2eeerror 'source_mismatch'.
  #setSource(receiver, entry, { signalled, authenticated }) {
    if (this.#remoteSources.get(receiver) !== entry || this.#closed) return;
    if (signalled) entry.signalled = signalled;
    if (authenticated) entry.authenticated = authenticated;
    let source = entry.signalled ?? entry.authenticated;
    if (entry.signalled && entry.authenticated &&
        isScreenSource(entry.signalled) !== isScreenSource(entry.authenticated)) {
      source = entry.authenticated;
      if (!entry.mismatchReported) {
        entry.mismatchReported = true;
        this.dispatchEvent(new AegisEvent('e2eeerror', {
          code: 'source_mismatch', participantId: entry.participantId,
          message: `track ${entry.trackId} was announced as ${entry.signalled} but its frames are ${entry.authenticated}'s`,
        }));
      }
    }
    if (entry.source === source) return;
    entry.source = source;
    const { participantId, track } = entry;
    this.dispatchEvent(new AegisEvent('tracksource', { participantId, track, kind: track.kind, source }));
  }

  // E2EE: the worker, the key manager and the public room.e2ee object:
  //   roomCode()   the room's 30-digit code (6 groups of 5); everyone in the
  //                call sees the same one in an epoch; it changes with each
  //   roster()     { members: [{ participantId, identity, name, leaf, self,
  //                verified, keyChanged }], unencrypted: [participant ids] }
  //   pairwiseCode(participantId)  the code two people compare once
  //   markVerified(participantId)  after they did: kept in this browser
  //   status()     { encrypted, reason } (also sent as 'e2eestatus' events)
  //   sendChat(text)  an end-to-end encrypted chat message ('chatmessage')
  //   getE2eeStats()  per participant id: frames encrypted / decrypted /
  //                failed, KIDs and epochs seen, per track
  //   persistentIdentity  whether the signature key is kept (IndexedDB)
  //   exportKeyStateForTesting()  only with testHooks: { epoch, leaf, baseKey (hex) }
  #startE2ee(prepared, joined, testHooks) {
    this.#transforms = new E2eeTransforms({
      onContext: (receiver, participantId, context) => this.#onFrameContext(receiver, participantId, context),
    });
    const manager = new E2eeManager({
      member: prepared.member, transforms: this.#transforms, testHooks, signatureKey: prepared.signatureKey,
      // The member writes its own protocol version; this socket's is the room's.
      send: ({ v, ...fields }) => this.#send(fields),
      emit: (type, fields) => { if (!this.#closed) this.dispatchEvent(new AegisEvent(type, fields)); },
    });
    this.#e2eeManager = manager;
    const api = {
      roomCode: () => manager.roomCode,
      epoch: () => manager.epoch,
      roster: () => manager.roster(),
      pairwiseCode: (participantId) => manager.pairwiseCode(participantId),
      markVerified: (participantId) => manager.markVerified(participantId),
      status: () => manager.status,
      sendChat: (text) => manager.sendChat(text),
      counters: () => manager.counters,
      getE2eeStats: () => manager.stats(),
      persistentIdentity: prepared.persistentIdentity,
    };
    if (testHooks) api.exportKeyStateForTesting = () => manager.exportKeyStateForTesting();
    this.e2ee = Object.freeze(api);
    manager.start(joined);
  }

  // The waiter for the request `id`, taken out of the queue; without an id
  // (an older server), the oldest.
  #takeWaiter(re) {
    const i = typeof re === 'number' ? this.#answerWaiters.findIndex((w) => w.id === re) : 0;
    return i < 0 ? undefined : this.#answerWaiters.splice(i, 1)[0];
  }

  // `message` is kept to be sent again if the socket it went on turns out
  // dead (#resendLost).
  #waitForAnswer(id, message) {
    return new Promise((resolve, reject) => {
      const waiter = { id, message, sentOn: this.#reconnecting ? null : this.#ws };
      const timer = setTimeout(() => {
        this.#answerWaiters = this.#answerWaiters.filter((w) => w !== waiter);
        reject(new AegisError('timeout', 'no answer to publish'));
      }, kReplyTimeoutMs);
      waiter.resolve = (sdp) => { clearTimeout(timer); resolve(sdp); };
      waiter.reject = (e) => { clearTimeout(timer); reject(e); };
      this.#answerWaiters.push(waiter);
    });
  }

  // After a resume, once the server's replay is read: a publish that went
  // into the dead socket and was not answered in the replay never reached
  // the server (what it received, it answered, and that answer was
  // replayed). Sent again, with its id.
  #resendLost() {
    for (const waiter of this.#answerWaiters) {
      if (waiter.sentOn === null || waiter.sentOn === this.#ws) continue;
      waiter.sentOn = this.#ws;
      this.#send(waiter.message);
    }
  }

  #reportError(error) {
    this.dispatchEvent(new AegisEvent('error', { code: error.code, message: error.serverMessage, field: error.field }));
  }

  #onSocketClose(e) {
    if (this.#closed || this.#reconnecting) return;
    const recent = this.#lastError && performance.now() - this.#lastErrorAt < kCloseAfterErrorMs;
    const error = recent ? this.#lastError
      : new AegisError('connection_closed', `signaling connection closed (${e.code}${e.reason ? ` ${e.reason}` : ''})`);
    // The server ended the session (kicked, revoked, ...): nothing to resume.
    if (!this.#resume || (recent && kSessionEndingErrors.has(this.#lastError.code))) {
      this.#shutdown('connection_closed', error);
      return;
    }
    this.#reconnect(error);
  }

  // The socket dropped but the session lives on the server for its grace
  // period, media and all: open new sockets until one resumes it (protocol.md
  // §1c), or give up when the grace period is over or the server refuses.
  async #reconnect(cause) {
    this.#reconnecting = true;
    const deadline = performance.now() + this.#resume.graceMs;
    this.dispatchEvent(new AegisEvent('reconnecting', {}));
    for (let attempt = 0; !this.#closed; ++attempt) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, kResumeRetryMs));
      if (this.#closed) return;
      if (performance.now() >= deadline) break;
      const result = await this.#tryResume();
      if (result.resumed) {
        this.#reconnecting = false;
        const waiting = this.#outbox;
        this.#outbox = [];
        for (const fields of waiting) this.#send(fields);
        for (const waiter of this.#answerWaiters) waiter.sentOn ??= this.#ws;  // went out just now
        this.#lastHeard = performance.now();
        this.#replayLeft = result.replayed;
        if (result.replayed === 0) this.#resendLost();
        this.dispatchEvent(new AegisEvent('reconnected', { replayed: result.replayed }));
        // The network may have changed under the media too.
        this.#iceRecovery.restartAll();
        return;
      }
      if (result.error) {
        this.#reconnecting = false;
        this.#shutdown('connection_closed', result.error);
        return;
      }
    }
    this.#reconnecting = false;
    this.#shutdown('connection_closed', cause);
  }

  // One attempt: {resumed, replayed} | {error} (refused: do not retry) | {}
  // (no answer: try again). On success the new socket is this.#ws, and the
  // replayed messages that follow `resumed` go through #onMessage.
  #tryResume() {
    return new Promise((resolve) => {
      let ws;
      try {
        ws = new WebSocket(this.#url);
      } catch {
        resolve({});
        return;
      }
      let done = false;
      const finish = (result) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        ws.removeEventListener('message', onFirst);
        ws.removeEventListener('close', onClose);
        if (!result.resumed && ws.readyState !== WebSocket.CLOSED) ws.close(1000);
        resolve(result);
      };
      const timer = setTimeout(() => finish({}), kResumeReplyMs);
      const onClose = () => finish({});
      const onFirst = (event) => {
        const msg = this.#parse(event.data);
        if (msg?.type === 'resumed') {
          this.#ws = ws;
          this.#listen(ws);  // before anything else arrives: the replay follows
          finish({ resumed: true, replayed: Number(msg.replayed) || 0 });
        } else if (msg?.type === 'error') {
          finish({ error: new AegisError(msg.code, msg.message ?? '', msg.field) });
        }
      };
      ws.addEventListener('message', onFirst);
      ws.addEventListener('close', onClose);
      ws.addEventListener('open', () => {
        ws.send(JSON.stringify({
          v: kProtocolVersion, type: 'resume', room: this.#room, token: this.#token,
          participant_id: this.participantId, resume_token: this.#resume.token, last_seq: this.#lastSeq,
        }));
      }, { once: true });
    });
  }

  #shutdown(reason, error) {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pingTimer);
    this.#iceRecovery.close();
    for (const w of this.#answerWaiters) w.reject(new AegisError('connection_closed', 'the room was left'));
    this.#answerWaiters = [];
    this.#unwatchScreen();
    this.#remoteSources.clear();
    this.#publisher?.close();
    this.#subscriber.close();
    this.#e2eeManager?.close();
    this.#transforms?.close();
    // Frames queued by send() go out before the close frame.
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.#ws.close(1000);
    this.#participants.clear();
    this.dispatchEvent(new AegisEvent('closed', { reason, error }));
  }
}

// Puts `mimeType` first among the codecs offered for this transceiver (the
// server forwards Opus and VP8; Chromium lists them first anyway, this keeps
// it so). The others stay as fallbacks. Best effort: a browser that refuses
// the list just offers its default order.
function preferCodec(transceiver, mimeType) {
  const kind = mimeType.split('/')[0];
  const codecs = RTCRtpReceiver.getCapabilities?.(kind)?.codecs;
  if (!codecs || typeof transceiver.setCodecPreferences !== 'function') return;
  const wanted = mimeType.toLowerCase();
  const first = codecs.filter((c) => c.mimeType.toLowerCase() === wanted);
  if (first.length === 0) return;
  try {
    transceiver.setCodecPreferences([...first, ...codecs.filter((c) => c.mimeType.toLowerCase() !== wanted)]);
  } catch {
    // keep the default order
  }
}
