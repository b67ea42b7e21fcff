// Keeps a participant's two PeerConnections going when the network under
// them changes (docs/protocol.md §2, ICE restart): a laptop moving to another
// Wi-Fi, a phone to mobile data, a VPN coming up. The browser does not gather
// candidates for a new network by itself; an ICE restart does, and the
// server then follows the client to where its checks now come from.
//
// A connection is restarted when its ICE state goes `disconnected` or
// `failed`, and both are restarted after the signaling socket was resumed:
// a socket that dropped is the commonest sign that the network changed, and
// the SDK's heartbeat finds a dead socket within about 3 s, before Chromium
// reports the media path `disconnected` (5.5 s after an address change,
// measured in tests/network/address_change.sh). At most
// one restart per connection every kMinIntervalMs; a connection still not
// connected kRetryMs after its restart is restarted again (the restart's
// signaling may have gone into a dead socket).
//
// What a restart is, is the caller's (`restart(which)`): a publish offer
// made after pc.restartIce() for the publisher, `restart_ice` for the
// subscriber.

const kMinIntervalMs = 2_000;
const kRetryMs = 5_000;

// States in which the connection has no working path (and one is worth
// restarting for): `new` has not started yet, `closed` is over.
const kBroken = new Set(['disconnected', 'failed']);
const kStalled = new Set(['checking', 'disconnected', 'failed']);

export class IceRecovery {
  #restart;
  #connections = new Map();  // 'publisher' | 'subscriber' -> RTCPeerConnection
  #lastRestart = new Map();
  #retryTimers = new Map();
  #closed = false;

  constructor({ restart }) {
    this.#restart = restart;
  }

  watch(which, pc) {
    this.#connections.set(which, pc);
    pc.addEventListener('iceconnectionstatechange', () => {
      if (this.#closed || this.#connections.get(which) !== pc || !kBroken.has(pc.iceConnectionState)) return;
      this.restart(which);
    });
  }

  // Both connections (those that exist): after the socket was resumed.
  restartAll() {
    for (const which of this.#connections.keys()) this.restart(which);
  }

  restart(which) {
    const pc = this.#connections.get(which);
    if (this.#closed || !pc || pc.connectionState === 'closed') return;
    const now = performance.now();
    if (now - (this.#lastRestart.get(which) ?? -Infinity) < kMinIntervalMs) return;
    this.#lastRestart.set(which, now);
    this.#restart(which);
    clearTimeout(this.#retryTimers.get(which));
    this.#retryTimers.set(which, setTimeout(() => {
      this.#retryTimers.delete(which);
      if (kStalled.has(pc.iceConnectionState)) this.restart(which);
    }, kRetryMs));
  }

  close() {
    this.#closed = true;
    for (const timer of this.#retryTimers.values()) clearTimeout(timer);
    this.#retryTimers.clear();
  }
}
