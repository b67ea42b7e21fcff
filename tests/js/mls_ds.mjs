// A small in-test Delivery Service that follows docs/protocol.md §7, for the
// MLS member tests (mls_*.test.mjs). It plays the server: rooms with one
// group, KeyPackages checked and announced, commits ordered (one per epoch),
// Welcomes routed, Remove proposals signed as the external sender, chat
// relayed. Every message crosses it as JSON text, as over the socket.
//
// It can also be malicious: `tamper(to, msg)` sees every message before it
// reaches client `to` and returns it, a replacement, or null (dropped), and
// `inject(to, msg)` queues anything. The server's own MLS needs (encoding the
// ExternalSender, signing Remove proposals) use ts-mls from node_modules
// directly, as the C++ server does without any group state.

import * as tsmls from './mls_tsmls.mjs';
import { MlsMember, PROTOCOL_VERSION } from '../../web/sdk/e2ee_mls_member.js';
import { base64UrlDecode, base64UrlEncode } from '../../web/sdk/e2ee_identity.js';

const utf8 = new TextEncoder();

// The server's Ed25519 external-sender key and its TLS-encoded ExternalSender.
export async function makeServerSender() {
  const cs = await tsmls.getCiphersuiteImpl(tsmls.getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'));
  const { publicKey, signKey } = await cs.signature.keygen();
  const externalSender = tsmls.encodeExternalSender({
    signaturePublicKey: publicKey,
    credential: { credentialType: 'basic', identity: utf8.encode('aegis-server') },
  });
  return { publicKey, signKey, externalSender, cs };
}

// An external Remove proposal for `leaf` in (groupId, epoch), signed by
// `sender` (makeServerSender), as the encoded MLSMessage. The signature of an
// external proposal does not cover the group context, so the server needs
// only the group id and the epoch.
export async function signRemove(sender, { groupId, epoch, leaf, suiteName }) {
  const groupInfo = {
    groupContext: {
      version: 'mls10', cipherSuite: suiteName, groupId, epoch: BigInt(epoch),
      extensions: [{ extensionType: 'external_senders', extensionData: sender.externalSender }],
    },
  };
  const message = await tsmls.proposeExternal(groupInfo, { proposalType: 'remove', remove: { removed: leaf } },
    sender.publicKey, sender.signKey, sender.cs);
  return tsmls.encodeMlsMessage(message);
}

const wire = (msg) => JSON.parse(JSON.stringify(msg));
const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

export class DeliveryService {
  // groupId: the first group's id (default random, as the server draws it).
  constructor({ suite, server, room = 'r', groupId = null }) {
    this.firstGroupId = groupId;
    this.suite = suite;
    this.suiteName = tsmls.getCiphersuiteNameFromId(suite);
    this.server = server;
    this.room = room;
    this.now = 0;
    this.clients = new Map();  // id -> { id, identity, name, keyPackage (blob), member, inbox, events }
    this.group = null;         // { groupId, epoch, members: Map id -> leaf (null until mls_member), pending: Set leaf }
    this.accepted = [];        // accepted mls_commit messages, in order (for replays)
    this.refusals = [];        // { from, code }
    this.tamper = null;
    this.nextId = 1;
  }

  #deliver(to, msg) {
    const client = this.clients.get(to);
    if (!client) return;
    let out = wire({ v: PROTOCOL_VERSION, ...msg });
    if (this.tamper) out = this.tamper(to, out);
    if (out) client.inbox.push(out);
  }

  inject(to, msg) {
    this.clients.get(to).inbox.push(wire(msg));
  }

  #participantObject(client) {
    return { id: client.id, name: client.name, identity: client.identity, tracks: [], key_package: client.keyPackage };
  }

  #mlsObject(create) {
    return {
      group_id: base64UrlEncode(this.group.groupId), epoch: this.group.epoch, suite: this.suite,
      external_sender: base64UrlEncode(this.server.externalSender), create,
    };
  }

  #newGroup(creatorId) {
    const firstGroupId = this.firstGroupId;
    this.firstGroupId = null;
    this.group = {
      groupId: firstGroupId ?? globalThis.crypto.getRandomValues(new Uint8Array(16)), epoch: 0,
      members: new Map([[creatorId, 0]]), pending: new Set(),
    };
  }

  // A participant joins with its MlsMember (made by the test or here).
  async join({ id = `p${this.nextId++}`, identity, name = '', signatureKeyPair, member }) {
    member ??= await MlsMember.create({ identity, name, signatureKeyPair, suite: this.suite });
    const client = { id, identity, name, keyPackage: member.keyPackageBlob, member, inbox: [], events: [] };
    // The server's check of the KeyPackage: wire format, suite, credential = (sub, name).
    const kp = tsmls.decodeMlsMessage(base64UrlDecode(client.keyPackage), 0)[0];
    if (kp.wireformat !== 'mls_key_package' || kp.keyPackage.cipherSuite !== this.suiteName) throw new Error('bad key package');
    const others = [...this.clients.values()];
    this.clients.set(id, client);
    const create = this.group === null;
    if (create) this.#newGroup(id);
    this.#deliver(id, {
      type: 'joined', participant_id: id, room: this.room, admin: false, locked: false,
      participants: others.map((c) => this.#participantObject(c)), mls: this.#mlsObject(create),
    });
    for (const other of others) this.#deliver(other.id, { type: 'participant_joined', participant: this.#participantObject(client) });
    return client;
  }

  async leave(id) {
    const client = this.clients.get(id);
    this.clients.delete(id);
    for (const other of this.clients.values()) this.#deliver(other.id, { type: 'participant_left', participant_id: id });
    if (!this.group?.members.has(id)) return client;
    const leaf = this.group.members.get(id);
    this.group.members.delete(id);
    if (this.group.members.size === 0) {
      // The group ends; a waiter (if any) creates the next one.
      this.group = null;
      const waiter = [...this.clients.values()][0];
      if (waiter) {
        this.#newGroup(waiter.id);
        this.#deliver(waiter.id, { type: 'mls_group', ...this.#mlsObject(true) });  // the fields inline, as the server sends them
      }
      return client;
    }
    if (leaf !== null) {
      this.group.pending.add(leaf);
      await this.#proposeRemovals([leaf]);
    }
    return client;
  }

  async #proposeRemovals(leaves) {
    for (const leaf of leaves) {
      const proposal = await signRemove(this.server, { groupId: this.group.groupId, epoch: this.group.epoch, leaf, suiteName: this.suiteName });
      for (const id of this.group.members.keys()) {
        this.#deliver(id, { type: 'mls_proposal', epoch: this.group.epoch, proposal: base64UrlEncode(proposal) });
      }
    }
  }

  async #fromClient(from, msg) {
    msg = wire(msg);
    const group = this.group;
    const refuse = (code) => {
      this.refusals.push({ from, code, re: msg.id });
      this.#deliver(from, { type: 'error', code, message: code, re: msg.id });
    };
    // As the server: the version first (docs/protocol.md §1).
    if (msg.v !== PROTOCOL_VERSION) return refuse('unsupported_version');
    switch (msg.type) {
      case 'mls_member':
        if (group) group.members.set(from, msg.leaf);
        return;
      case 'mls_app':
        for (const id of group?.members.keys() ?? []) if (id !== from) this.#deliver(id, { type: 'mls_app', from, message: msg.message });
        return;
      case 'mls_commit': {
        if (!group || !group.members.has(from)) return refuse('mls_refused');
        if (msg.epoch !== group.epoch) return refuse(msg.epoch < group.epoch ? 'mls_stale_epoch' : 'mls_refused');
        const decoded = tsmls.decodeMlsMessage(base64UrlDecode(msg.commit), 0)?.[0];
        const framing = decoded?.wireformat === 'mls_private_message' ? decoded.privateMessage
          : decoded?.wireformat === 'mls_public_message' ? decoded.publicMessage.content : null;
        if (!framing || framing.contentType !== 'commit' || framing.epoch !== BigInt(group.epoch) ||
            !sameBytes(framing.groupId, group.groupId)) return refuse('mls_refused');
        const epoch = group.epoch++;
        const out = { type: 'mls_commit', from, epoch, commit: msg.commit };
        this.accepted.push(out);
        for (const id of this.clients.keys()) this.#deliver(id, out);
        for (const id of msg.added ?? []) {
          if (msg.welcome && this.clients.has(id) && !group.members.has(id)) {
            this.#deliver(id, { type: 'mls_welcome', from, epoch: group.epoch, welcome: msg.welcome });
          }
        }
        for (const leaf of msg.removed ?? []) group.pending.delete(leaf);
        await this.#proposeRemovals([...group.pending]);
        return;
      }
      default:
        return;
    }
  }

  // Runs the room until nothing moves: messages both ways, then timers (the
  // clock jumps to the earliest deadline). Returns the time reached.
  async settle({ maxSteps = 10000, advanceTimers = true } = {}) {
    for (let step = 0; step < maxSteps; step++) {
      let moved = false;
      for (const c of [...this.clients.values()]) {
        for (let m; (m = c.member.pollTransmit());) {
          moved = true;
          await this.#fromClient(c.id, m);
        }
      }
      for (const c of [...this.clients.values()]) {
        while (c.inbox.length) {
          moved = true;
          await c.member.handleInput(c.inbox.shift(), this.now);
        }
        for (let e; (e = c.member.pollEvent());) c.events.push(e);
      }
      if (moved) continue;
      if (!advanceTimers) return this.now;
      const deadlines = [...this.clients.values()].map((c) => c.member.nextTimeout()).filter((t) => t !== null);
      if (!deadlines.length) return this.now;
      this.now = Math.max(this.now, Math.min(...deadlines));
      for (const c of [...this.clients.values()]) {
        const t = c.member.nextTimeout();
        if (t !== null && t <= this.now) await c.member.handleTimeout(this.now);
      }
    }
    throw new Error('the room did not settle');
  }

  client(id) { return this.clients.get(id); }
  events(id, type) { return this.clients.get(id).events.filter((e) => !type || e.type === type); }
}
