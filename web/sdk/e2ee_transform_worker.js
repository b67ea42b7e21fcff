// The E2EE frame worker: every encoded frame of the room passes through here
// (RTCRtpScriptTransform runs its transforms in a Worker; the older
// createEncodedStreams hands us the same streams by postMessage). Keys come
// from the main thread by postMessage and never go back; counters do.
//
// Messages in (from e2ee_transforms.js):
//   { type: 'setEncryptionKey', kid, key }         encrypt from now on with this key
//   { type: 'addReceiveKey', participantId, kid, key }
//   { type: 'removeSender', participantId }         the sender left: wipe its keys
//   { type: 'rebind', id, participantId }           a receiver now carries another sender
//   { type: 'streams', id, options, readable, writable }   createEncodedStreams fallback
//   { type: 'report', seq }                         asks for a report now
// Messages out:
//   { type: 'report', seq, transforms: [counters], senders: { id: keys }, ownKid }
//     counters = { id, role, kind, participantId, encrypted, decrypted, failed,
//                  unknownKid, lastKid, kids }
//   sent every kReportMs as well (seq null).
//
// A frame that cannot be encrypted or decrypted is dropped, never passed on:
// nothing leaves this participant in the clear and nothing undecrypted
// reaches a decoder.

import { FrameDecryptor, FrameEncryptor } from './e2ee_frames.js';

const kReportMs = 500;
// How many distinct KIDs a transform remembers for its stats.
const kKidsRemembered = 16;

const encryptor = new FrameEncryptor();
const decryptors = new Map();  // participant id -> FrameDecryptor
const transforms = new Map();  // transform id -> counters (and role, binding)
// Key updates are applied in arrival order, each after the previous one
// finished: a fresh key posted after another must end up current.
let keyUpdates = Promise.resolve();

function decryptorFor(participantId) {
  let d = decryptors.get(participantId);
  if (!d) {
    d = new FrameDecryptor();
    decryptors.set(participantId, d);
  }
  return d;
}

function noteKid(t, kid) {
  t.lastKid = kid;
  if (!t.kids.includes(kid)) {
    t.kids.push(kid);
    if (t.kids.length > kKidsRemembered) t.kids.shift();
  }
}

async function encryptFrame(t, frame, controller) {
  try {
    // RTCEncodedAudioFrame has no type: audio draws from the "other" lane.
    const kid = encryptor.kid;
    const out = await encryptor.encrypt(frame.data, frame.type === 'key');
    frame.data = out.buffer;
    t.encrypted++;
    noteKid(t, kid);
    controller.enqueue(frame);
  } catch (e) {
    t.failed++;
    t.reasons[e.code ?? 'error'] = (t.reasons[e.code ?? 'error'] ?? 0) + 1;
  }
}

async function decryptFrame(t, frame, controller) {
  const decryptor = decryptors.get(t.participantId);
  try {
    if (!decryptor) {
      const e = new Error('no key from this sender yet');
      e.code = 'unknown_kid';
      throw e;
    }
    const { plaintext, kid } = await decryptor.decrypt(frame.data);
    frame.data = plaintext.buffer;
    t.decrypted++;
    noteKid(t, kid);
    controller.enqueue(frame);
  } catch (e) {
    t.failed++;
    if (e.code === 'unknown_kid') t.unknownKid++;
    t.reasons[e.code ?? 'error'] = (t.reasons[e.code ?? 'error'] ?? 0) + 1;
  }
}

function attach(id, options, readable, writable) {
  const t = {
    id, role: options.role, kind: options.kind ?? null, participantId: options.participantId ?? null,
    encrypted: 0, decrypted: 0, failed: 0, unknownKid: 0, lastKid: null, kids: [], reasons: {},
  };
  transforms.set(id, t);
  const step = t.role === 'encrypt' ? encryptFrame : decryptFrame;
  // Frames of one track are handled one at a time, in order (the stream
  // waits for each transform() promise), which keeps the decoder's order.
  readable
    .pipeThrough(new TransformStream({ transform: (frame, controller) => step(t, frame, controller) }))
    .pipeTo(writable)
    .catch(() => {})
    .finally(() => transforms.delete(id));
}

function report(seq) {
  const now = Date.now();
  const senders = {};
  for (const [participantId, d] of decryptors) {
    d.expire();
    const ring = d.keyring;
    const addedAt = ring.newestAddedAt;
    senders[participantId] = {
      newestKid: ring.newestKid, newestAgeMs: addedAt === null ? null : now - addedAt, liveKids: ring.liveKids,
      keyring: ring.stats,
    };
  }
  const list = [...transforms.values()].map((t) => ({ ...t, kids: [...t.kids], reasons: { ...t.reasons } }));
  self.postMessage({ type: 'report', seq, transforms: list, senders, ownKid: encryptor.kid });
}

self.onmessage = (event) => {
  const m = event.data;
  switch (m?.type) {
    case 'setEncryptionKey':
      keyUpdates = keyUpdates.then(() => encryptor.setKey(m.kid, m.key)).finally(() => m.key.fill(0)).catch(() => {});
      break;
    case 'addReceiveKey':
      keyUpdates = keyUpdates.then(() => decryptorFor(m.participantId).addKey(m.kid, m.key))
        .finally(() => m.key.fill(0)).catch(() => {});
      break;
    case 'removeSender':
      keyUpdates = keyUpdates.then(() => {
        decryptors.get(m.participantId)?.wipe();
        decryptors.delete(m.participantId);
      });
      break;
    case 'rebind': {
      const t = transforms.get(m.id);
      if (t) t.participantId = m.participantId;
      break;
    }
    case 'streams':
      attach(m.id, m.options, m.readable, m.writable);
      break;
    case 'report':
      // After pending key updates, so a report right after a key change shows it.
      keyUpdates.then(() => report(m.seq));
      break;
    default:
      break;
  }
};

// RTCRtpScriptTransform: one event per sender or receiver, options from the page.
self.onrtctransform = (event) => {
  const { transformer } = event;
  attach(transformer.options.id, transformer.options, transformer.readable, transformer.writable);
};

setInterval(() => report(null), kReportMs);
