// E2EE sender keys (docs/e2ee.md §3, §4): the key schedule (KID derivation,
// one-way ratchet) and, at a receiver, the keys of one remote sender.
// No DOM, no imports: runs in a page, in the transform Worker and in Node.
//
//   const key = randomSenderKey();
//   const kid = await deriveKid(key);          // u32 from HKDF(key, "aegis-e2ee-v1 kid")
//   const next = await ratchetKey(key);        // HKDF(key, "aegis-e2ee-v1 ratchet"), one-way
//
//   const ring = new SenderKeyring();          // at a receiver, one per remote sender
//   await ring.add(kid, key);                  // a key unsealed from that sender's blob (false: refused)
//   const k = await ring.resolve(frameKid);    // live key, or a promoted ratchet step, or null
//   ring.noteDecrypted(frameKid);              // starts the 2 s grace of older keys
//   ring.expire();                             // wipes keys whose grace ended -> their KIDs

const subtle = globalThis.crypto.subtle;

export const SENDER_KEY_BYTES = 16;       // suite 0x0004 base key
export const RATCHET_WINDOW = 8;          // ratchet steps a receiver looks ahead
export const MAX_KEYS_PER_SENDER = 16;    // live keys per sender at one receiver
export const OLD_KEY_GRACE_MS = 2000;     // how long a superseded key still decrypts
export const SEEN_KIDS_PER_SENDER = 64;   // KIDs a receiver remembers per sender against replays

const kKidInfo = new TextEncoder().encode('aegis-e2ee-v1 kid');
const kRatchetInfo = new TextEncoder().encode('aegis-e2ee-v1 ratchet');
const kEmpty = new Uint8Array(0);

// HKDF-SHA256(ikm, salt = "", info, L bytes).
async function hkdf(ikm, info, length) {
  const base = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: kEmpty, info }, base, length * 8);
  return new Uint8Array(bits);
}

function checkKey(key) {
  if (!(key instanceof Uint8Array) || key.length !== SENDER_KEY_BYTES) {
    throw new TypeError(`a sender key is a Uint8Array of ${SENDER_KEY_BYTES} bytes`);
  }
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function randomSenderKey() {
  return crypto.getRandomValues(new Uint8Array(SENDER_KEY_BYTES));
}

// KID = first 4 bytes, big-endian, of HKDF(K, "", "aegis-e2ee-v1 kid", 4).
// Derived rather than counted, so that every key names itself and a receiver
// can find a ratchet step by its KID without being told.
export async function deriveKid(key) {
  checkKey(key);
  const bytes = await hkdf(key, kKidInfo, 4);
  return new DataView(bytes.buffer).getUint32(0);
}

// ratchet(K) = HKDF(K, "", "aegis-e2ee-v1 ratchet", 16). Whoever holds
// ratchet(K) cannot compute K: that is what keeps a joiner out of the past.
export async function ratchetKey(key) {
  checkKey(key);
  return hkdf(key, kRatchetInfo, SENDER_KEY_BYTES);
}

// The next `steps` ratchet steps of `key`: [{ kid, key, step }], step 1 first.
export async function ratchetWindow(key, steps = RATCHET_WINDOW) {
  const out = [];
  let current = key;
  for (let step = 1; step <= steps; step++) {
    current = await ratchetKey(current);
    out.push({ kid: await deriveKid(current), key: current, step });
  }
  return out;
}

// The keys of one remote sender, as one receiver holds them.
//
// Each live key has an `order`: keys from blobs get the next whole number (a
// blob always brings the sender's newest key), a key promoted from the
// ratchet window of key P gets P's order plus 1/1024 per step, so it sits
// after P and before any key that arrived after P (promotions would have to
// chain over 128 times without a blob in between to cross a whole number). "Older" below means
// a smaller order; the newest key is the one with the largest.
//
// A KID is installed at most once. A malicious server can replay a sealed
// blob it recorded (it opens again: same sender, recipient, room); if that
// reinstalled a wiped key as the "newest", the SFrame receiver would get a
// fresh context whose replay window is empty, the server could replay the
// frames it recorded under that key, and the status would still say
// "encrypted". So every KID that was ever live here (from a blob or
// promoted, later wiped or not) is remembered (the last SEEN_KIDS_PER_SENDER)
// and a blob for one of them is refused (stats.replayed); a wiped KID is not
// promoted again either. Sealed blobs carry no counter (the wire format stays
// as it is); KIDs are derived from random or ratcheted keys, so an honest
// sender never seals one KID to the same receiver twice.
export class SenderKeyring {
  #now;
  #keys = new Map();      // kid -> { key, order, addedAt, firstUsedAt, expiresAt, fromBlob }
  #windows = new Map();   // kid of a live key -> Promise<[{kid, key, step}]>
  #seen = new Set();      // every KID that was live here, oldest first (bounded)
  #nextOrder = 1;
  #stats = { added: 0, promoted: 0, refused: 0, replayed: 0, evicted: 0, wiped: 0 };

  constructor({ now = () => Date.now() } = {}) {
    this.#now = now;
  }

  get size() { return this.#keys.size; }
  get stats() { return { ...this.#stats }; }
  has(kid) { return this.#keys.has(kid); }

  get newestKid() {
    return this.#newest()?.kid ?? null;
  }

  // When the newest key arrived (this keyring's clock), or null.
  get newestAddedAt() {
    return this.#newest()?.entry.addedAt ?? null;
  }

  #newest() {
    let best = null;
    for (const [kid, entry] of this.#keys) if (!best || entry.order > best.entry.order) best = { kid, entry };
    return best;
  }

  // Live KIDs, oldest first.
  get liveKids() {
    return [...this.#keys].sort((a, b) => a[1].order - b[1].order).map(([kid]) => kid);
  }

  // Whether `kid` was ever live here (as far as the bounded memory goes).
  seen(kid) { return this.#keys.has(kid) || this.#seen.has(kid); }

  // Stores a key from a blob as the sender's newest. Returns false when it
  // is refused: a KID that does not match the key, a KID seen before (a
  // replayed blob: it never becomes newest again), or no room left.
  async add(kid, key) {
    checkKey(key);
    if ((await deriveKid(key)) !== kid) {
      this.#stats.refused++;
      return false;
    }
    const live = this.#keys.get(kid);
    if (live && !live.fromBlob && sameBytes(live.key, key)) {
      // The blob of a key this receiver already promoted from its ratchet
      // window (its frames overtook the blob, e.g. a sender resealing a
      // ratcheted key to everyone, docs/e2ee.md §4). The same key: nothing
      // changes, not even its place in the order. Only once.
      live.fromBlob = true;
      return true;
    }
    if (this.seen(kid)) {
      this.#stats.replayed++;
      return false;
    }
    if (!this.#makeRoom()) {
      this.#stats.refused++;
      return false;
    }
    this.#keys.set(kid, this.#entry(key, this.#nextOrder++, true));
    this.#remember(kid);
    this.#stats.added++;
    // Precomputed now, so the first frame after a sender's ratchet does not
    // wait for eight HKDF steps.
    this.#windowOf(kid);
    return true;
  }

  // The key for `kid`: a live one, or one found in the ratchet window of a
  // live key (newest first), which is then promoted to a live key. Null when
  // neither knows it.
  async resolve(kid) {
    const live = this.#keys.get(kid);
    if (live) return live.key;
    // A wiped key stays wiped: promoting it again would make a fresh SFrame
    // context with an empty replay window (see the class comment).
    if (this.#seen.has(kid)) return null;
    const parents = [...this.#keys].sort((a, b) => b[1].order - a[1].order);
    for (const [parentKid] of parents) {
      const window = await this.#windowOf(parentKid);
      const hit = window?.find((w) => w.kid === kid);
      if (!hit) continue;
      // A concurrent resolve() of the same KID may have promoted it already,
      // or the parent may have been wiped while the window was computed.
      const again = this.#keys.get(kid);
      if (again) return again.key;
      const parent = this.#keys.get(parentKid);
      if (!parent || !this.#makeRoom()) {
        if (parent) this.#stats.refused++;
        return null;
      }
      const order = parent.order + hit.step / 1024;
      this.#keys.set(kid, this.#entry(hit.key, order, false));
      this.#remember(kid);
      this.#stats.promoted++;
      this.#windowOf(kid);
      return this.#keys.get(kid).key;
    }
    return null;
  }

  // A frame under `kid` authenticated. The first time a key decrypts, every
  // older key gets OLD_KEY_GRACE_MS more (frames still in flight), then goes.
  noteDecrypted(kid) {
    const entry = this.#keys.get(kid);
    if (!entry || entry.firstUsedAt !== null) return;
    const now = this.#now();
    entry.firstUsedAt = now;
    for (const other of this.#keys.values()) {
      if (other.order < entry.order && other.expiresAt === null) other.expiresAt = now + OLD_KEY_GRACE_MS;
    }
  }

  // Wipes the keys whose grace is over; returns their KIDs (the caller drops
  // them from its SFrame receivers too).
  expire() {
    const now = this.#now();
    const gone = [];
    for (const [kid, entry] of this.#keys) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) gone.push(kid);
    }
    for (const kid of gone) this.#delete(kid);
    this.#stats.wiped += gone.length;
    return gone;
  }

  // Forgets everything (the sender left).
  wipe() {
    const kids = [...this.#keys.keys()];
    for (const kid of kids) this.#delete(kid);
    return kids;
  }

  #entry(key, order, fromBlob) {
    return { key: Uint8Array.from(key), order, addedAt: this.#now(), firstUsedAt: null, expiresAt: null, fromBlob };
  }

  // Remembers a KID that became live. Past the bound the oldest KID that is
  // no longer live is forgotten (live ones are checked in #keys anyway).
  #remember(kid) {
    this.#seen.add(kid);
    if (this.#seen.size <= SEEN_KIDS_PER_SENDER) return;
    for (const old of this.#seen) {
      if (!this.#keys.has(old)) {
        this.#seen.delete(old);
        return;
      }
    }
  }

  // The ratchet window of a live key, computed once.
  #windowOf(kid) {
    const entry = this.#keys.get(kid);
    if (!entry) return Promise.resolve(null);
    let window = this.#windows.get(kid);
    if (!window) {
      window = ratchetWindow(entry.key);
      this.#windows.set(kid, window);
    }
    return window;
  }

  // Wipes a live key; its KID stays in #seen.
  #delete(kid) {
    const entry = this.#keys.get(kid);
    if (!entry) return;
    entry.key.fill(0);
    this.#keys.delete(kid);
    const window = this.#windows.get(kid);
    this.#windows.delete(kid);
    window?.then((steps) => { for (const s of steps) s.key.fill(0); }, () => {});
  }

  // At the cap, a key that never decrypted anything and has a newer key
  // (superseded before use, e.g. during a burst of leaves) makes room; if
  // every key is in use, the new one is refused (docs/e2ee.md §4).
  #makeRoom() {
    if (this.#keys.size < MAX_KEYS_PER_SENDER) return true;
    const newest = this.newestKid;
    let victim = null;
    for (const [kid, entry] of this.#keys) {
      if (kid === newest || entry.firstUsedAt !== null) continue;
      if (!victim || entry.order < victim.order) victim = { kid, order: entry.order };
    }
    if (!victim) return false;
    this.#delete(victim.kid);
    this.#stats.evicted++;
    return true;
  }
}
