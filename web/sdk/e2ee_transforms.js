// Puts the E2EE worker (e2ee_transform_worker.js) on the media path of
// every RTCRtpSender and RTCRtpReceiver of a room, and talks to it.
//
// RTCRtpScriptTransform when the browser has it (the standard); otherwise
// Chromium's older createEncodedStreams(), whose streams are moved to the
// same worker, which then runs the same code. That fallback only works when
// the PeerConnections were made with { encodedInsertableStreams: true }:
// ask needsInsertableStreamsOption() before creating them.

import { FrameContexts } from './e2ee_mls_keys.js';

const kWorkerUrl = new URL('./e2ee_transform_worker.js', import.meta.url);

export function hasScriptTransform() {
  return typeof globalThis.RTCRtpScriptTransform === 'function';
}

export function needsInsertableStreamsOption() {
  return !hasScriptTransform();
}

// Whether this browser can run E2EE at all.
export function e2eeSupported() {
  const legacy = typeof globalThis.RTCRtpSender?.prototype?.createEncodedStreams === 'function' &&
                 typeof globalThis.RTCRtpReceiver?.prototype?.createEncodedStreams === 'function';
  return Boolean(globalThis.crypto?.subtle) && typeof globalThis.Worker === 'function' && (hasScriptTransform() || legacy);
}

export class E2eeTransforms {
  #worker;
  #nextId = 1;
  #contexts = new FrameContexts();  // each sending track's own KID context (e2ee_mls_keys.js): never reused
  #receivers = new Map();  // RTCRtpReceiver -> transform id
  #receiverOf = new Map();  // transform id -> RTCRtpReceiver
  #reportWaiters = new Map();
  #nextSeq = 1;
  #latest = { transforms: [], epochs: [], sendEpoch: null };
  #workerError = null;
  #onReport;
  #onContext;

  // onReport(report): called with every report the worker sends (~2/s).
  // onContext(receiver, participantId, context): a receiver's frames now
  // decrypt under this KID context (its first frame, or the sender changed).
  constructor({ onReport = () => {}, onContext = () => {} } = {}) {
    this.#onReport = onReport;
    this.#onContext = onContext;
    // A module worker from our own origin: the CSP (script-src 'self') allows it.
    this.#worker = new Worker(kWorkerUrl, { type: 'module', name: 'aegis-e2ee' });
    this.#worker.onmessage = (event) => this.#onMessage(event.data);
    this.#worker.onerror = (event) => {
      // A worker that failed (e.g. did not load) drops every frame: every
      // report from now on says so, and the status turns "not encrypted".
      this.#workerError = event.message || 'the E2EE worker failed';
      this.#latest = { ...this.#latest, workerError: this.#workerError };
    };
  }

  get latest() { return this.#latest; }

  // Must run before the sender's first frame (i.e. before negotiation completes).
  // screen: the track is a screen share; its KID context says so to every
  // receiver (e2ee_mls_keys.js isScreenContext).
  attachSender(sender, kind, { screen = false } = {}) {
    this.#attach(sender, { role: 'encrypt', kind, context: this.#contexts.take({ screen }) });
  }

  // Must run as soon as the receiver exists (in ontrack), so that no frame
  // reaches the decoder without passing through the worker.
  attachReceiver(receiver, participantId, kind) {
    const known = this.#receivers.get(receiver);
    if (known !== undefined) {
      // A reused receiver keeps its transform; only its sender changes.
      this.#worker.postMessage({ type: 'rebind', id: known, participantId });
      return;
    }
    const id = this.#attach(receiver, { role: 'decrypt', kind, participantId });
    this.#receivers.set(receiver, id);
    this.#receiverOf.set(id, receiver);
  }

  // The group's base key of `epoch` (from the MLS exporter): frames of that
  // epoch decrypt from now on.
  installEpoch(epoch, baseKey) {
    this.#worker.postMessage({ type: 'installEpoch', epoch, baseKey: Uint8Array.from(baseKey) });
  }

  // Every sending track encrypts with `epoch` (installed before) as `leaf`.
  sendEpoch(epoch, leaf) {
    this.#worker.postMessage({ type: 'sendEpoch', epoch, leaf });
  }

  // A remote participant's leaf in the group (null: it is not in the group).
  setLeaf(participantId, leaf) {
    this.#worker.postMessage({ type: 'setLeaf', participantId, leaf });
  }

  removeSender(participantId) {
    this.#worker.postMessage({ type: 'removeSender', participantId });
  }

  // A fresh report from the worker (after any key update already posted).
  report() {
    const seq = this.#nextSeq++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.#reportWaiters.delete(seq); resolve(this.#latest); }, 2000);
      this.#reportWaiters.set(seq, (r) => { clearTimeout(timer); resolve(r); });
      this.#worker.postMessage({ type: 'report', seq });
    });
  }

  close() {
    this.#worker.terminate();
    for (const resolve of this.#reportWaiters.values()) resolve(this.#latest);
    this.#reportWaiters.clear();
  }

  #attach(senderOrReceiver, options) {
    const id = this.#nextId++;
    const withId = { ...options, id };
    if (hasScriptTransform()) {
      senderOrReceiver.transform = new RTCRtpScriptTransform(this.#worker, withId);
    } else {
      const { readable, writable } = senderOrReceiver.createEncodedStreams();
      this.#worker.postMessage({ type: 'streams', id, options: withId, readable, writable }, [readable, writable]);
    }
    return id;
  }

  #onMessage(m) {
    if (m?.type === 'context') {
      const receiver = this.#receiverOf.get(m.id);
      if (receiver) this.#onContext(receiver, m.participantId, m.context);
      return;
    }
    if (m?.type !== 'report') return;
    this.#latest = { transforms: m.transforms, epochs: m.epochs, sendEpoch: m.sendEpoch };
    if (this.#workerError) this.#latest.workerError = this.#workerError;
    this.#onReport(this.#latest);
    const waiter = this.#reportWaiters.get(m.seq);
    if (waiter) {
      this.#reportWaiters.delete(m.seq);
      waiter(this.#latest);
    }
  }
}
