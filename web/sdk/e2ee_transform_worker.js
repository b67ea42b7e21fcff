// The E2EE frame worker: every encoded frame of the room passes through here
// (RTCRtpScriptTransform runs its transforms in a Worker; the older
// createEncodedStreams hands us the same streams by postMessage). Keys come
// from the main thread by postMessage and never go back; counters do.
//
// Messages in (from e2ee_transforms.js):
//   { type: 'installEpoch', epoch, baseKey }      the group's base key of an epoch: decrypt with it
//   { type: 'sendEpoch', epoch, leaf }              encrypt with that (installed) epoch from now on
//   { type: 'setLeaf', participantId, leaf }        a remote participant's leaf (null: not in the group)
//   { type: 'removeSender', participantId }         the sender left: wipe its keys
//   { type: 'rebind', id, participantId }           a receiver now carries another sender
//   { type: 'streams', id, options, readable, writable }   createEncodedStreams fallback
//   { type: 'report', seq }                         asks for a report now
// Messages out:
//   { type: 'report', seq, transforms: [counters], epochs: [live epochs], sendEpoch }
//     counters = { id, role, kind, participantId, encrypted, decrypted, failed,
//                  unknownKid, lastKid, lastEpoch, kids, reasons, context }
//   sent every kReportMs as well (seq null).
//   { type: 'context', id, participantId, context }   a receiver's frames
//     decrypted under a KID context other than before (its first frame, the
//     first after a rebind, or the sender moved the track): the page learns
//     from it whether the track is a screen share (e2ee_mls_keys.js
//     isScreenContext) without waiting for a report.
//
// A frame that cannot be encrypted or decrypted is dropped, never passed on:
// nothing leaves this participant in the clear and nothing undecrypted
// reaches a decoder.

import { EpochKeys, SenderDecryptor, TrackEncryptor } from './e2ee_frames.js';
import { epochBitsOf, parseFrameKid } from './e2ee_mls_keys.js';

const kReportMs = 500;
// How many distinct KIDs a transform remembers for its stats.
const kKidsRemembered = 16;

const epochs = new EpochKeys();
const encryptors = new Map();  // transform id -> TrackEncryptor
const decryptors = new Map();  // participant id -> SenderDecryptor
const transforms = new Map();  // transform id -> counters (and role, binding)
let sending = null;            // { epoch, leaf }: what every sending track encrypts with
// Key updates are applied in arrival order, each after the previous one
// finished: an epoch posted after another must end up current.
let keyUpdates = Promise.resolve();

function decryptorFor(participantId) {
  let d = decryptors.get(participantId);
  if (!d) {
    d = new SenderDecryptor(epochs);
    decryptors.set(participantId, d);
  }
  return d;
}

async function applySendEpoch(encryptor) {
  if (!sending) return;
  const live = epochs.lookup(epochBitsOf(sending.epoch));
  if (live?.epoch !== sending.epoch) return;
  await encryptor.setEpoch(sending.epoch, live.baseKey, sending.leaf);
}

function noteKid(t, kid, epoch) {
  kid = kid === null ? null : Number(kid);  // < 2^40: exact, and reports stay JSON
  t.lastKid = kid;
  t.lastEpoch = epoch;
  if (!t.kids.includes(kid)) {
    t.kids.push(kid);
    if (t.kids.length > kKidsRemembered) t.kids.shift();
  }
}

async function encryptFrame(t, frame, controller) {
  try {
    // RTCEncodedAudioFrame has no type: audio draws from the "other" lane.
    const encryptor = encryptors.get(t.id);
    const kid = encryptor.kid;
    const epoch = encryptor.epoch;
    const out = await encryptor.encrypt(frame.data, frame.type === 'key');
    frame.data = out.buffer;
    t.encrypted++;
    noteKid(t, kid, epoch);
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
    const { plaintext, kid, epoch } = await decryptor.decrypt(frame.data, t.kind);
    frame.data = plaintext.buffer;
    t.decrypted++;
    // Only an authenticated KID (the frame decrypted) says what the track is.
    if (t.context === null || Number(kid) !== t.lastKid) {
      const { context } = parseFrameKid(kid);
      if (context !== t.context) {
        t.context = context;
        self.postMessage({ type: 'context', id: t.id, participantId: t.participantId, context });
      }
    }
    noteKid(t, kid, epoch);
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
    encrypted: 0, decrypted: 0, failed: 0, unknownKid: 0, lastKid: null, lastEpoch: null, kids: [], reasons: {},
    context: options.role === 'encrypt' ? options.context : null,
  };
  transforms.set(id, t);
  if (t.role === 'encrypt') {
    const encryptor = new TrackEncryptor({ kind: t.kind, context: options.context });
    encryptors.set(id, encryptor);
    keyUpdates = keyUpdates.then(() => applySendEpoch(encryptor)).catch(() => {});
  }
  const step = t.role === 'encrypt' ? encryptFrame : decryptFrame;
  // Frames of one track are handled one at a time, in order (the stream
  // waits for each transform() promise), which keeps the decoder's order.
  readable
    .pipeThrough(new TransformStream({ transform: (frame, controller) => step(t, frame, controller) }))
    .pipeTo(writable)
    .catch(() => {})
    .finally(() => {
      transforms.delete(id);
      encryptors.delete(id);
    });
}

function report(seq) {
  const list = [...transforms.values()].map((t) => ({ ...t, kids: [...t.kids], reasons: { ...t.reasons } }));
  self.postMessage({ type: 'report', seq, transforms: list, epochs: epochs.live, sendEpoch: sending?.epoch ?? null });
}

self.onmessage = (event) => {
  const m = event.data;
  switch (m?.type) {
    case 'installEpoch':
      keyUpdates = keyUpdates.then(() => { epochs.install(m.epoch, m.baseKey); })
        .finally(() => m.baseKey.fill(0)).catch(() => {});
      break;
    case 'sendEpoch':
      keyUpdates = keyUpdates.then(async () => {
        sending = { epoch: m.epoch, leaf: m.leaf };
        await Promise.all([...encryptors.values()].map(applySendEpoch));
      }).catch(() => {});
      break;
    case 'setLeaf':
      keyUpdates = keyUpdates.then(() => decryptorFor(m.participantId).setLeaf(m.leaf));
      break;
    case 'removeSender':
      keyUpdates = keyUpdates.then(() => {
        decryptors.get(m.participantId)?.wipe();
        decryptors.delete(m.participantId);
      });
      break;
    case 'rebind': {
      const t = transforms.get(m.id);
      if (t) {
        t.participantId = m.participantId;
        t.context = null;  // the next frame tells what the new track is
      }
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
