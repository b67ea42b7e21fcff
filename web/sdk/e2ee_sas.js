// Short authentication string (docs/e2ee.md §5): six emoji that every member
// of a room computes from the same inputs, so a server that shows someone a
// different identity key (to read the keys sealed to it) changes that
// person's string.
//
//   hash = SHA-256("aegis-e2ee-v1 sas" 0x00 room 0x00 K1 || K2 || ... || Kn)
//   K1..Kn = every member's 65-byte identity public key, own included,
//            sorted in ascending byte order (so member order never matters)
//   emoji i (0..5) = SAS_EMOJI[bits 6i .. 6i+5 of the hash, most significant bit first]
//
// 6 x 6 bits = 36 bits: a substituted key goes unnoticed with probability
// 2^-36 per comparison.

import { IDENTITY_KEY_BYTES } from './e2ee_identity.js';

// 64 entries, index = 6-bit value. Single code points with default emoji
// presentation (no joiners, no variation selectors) so they render the same
// everywhere; names distinct when spoken, for comparing over a voice call
// and for screen readers. Changing this table changes every SAS: it is part
// of the protocol (docs/e2ee.md §5 lists the same table).
export const SAS_EMOJI = Object.freeze([
  ['🐶', 'dog'], ['🐱', 'cat'], ['🦁', 'lion'], ['🐴', 'horse'],
  ['🦄', 'unicorn'], ['🐷', 'pig'], ['🐘', 'elephant'], ['🐰', 'rabbit'],
  ['🐼', 'panda'], ['🐓', 'rooster'], ['🐧', 'penguin'], ['🐢', 'turtle'],
  ['🐟', 'fish'], ['🐙', 'octopus'], ['🦋', 'butterfly'], ['🐝', 'bee'],
  ['🌷', 'tulip'], ['🌳', 'tree'], ['🌵', 'cactus'], ['🍄', 'mushroom'],
  ['🌍', 'globe'], ['🌙', 'moon'], ['🌈', 'rainbow'], ['🔥', 'fire'],
  ['🌊', 'wave'], ['⭐', 'star'], ['🍎', 'apple'], ['🍌', 'banana'],
  ['🍇', 'grapes'], ['🍓', 'strawberry'], ['🍒', 'cherries'], ['🍋', 'lemon'],
  ['🍕', 'pizza'], ['🎂', 'cake'], ['🍩', 'doughnut'], ['🍪', 'cookie'],
  ['🌽', 'corn'], ['🥕', 'carrot'], ['🎈', 'balloon'], ['🎁', 'gift'],
  ['🎸', 'guitar'], ['🎺', 'trumpet'], ['🔔', 'bell'], ['⚓', 'anchor'],
  ['🔑', 'key'], ['🔨', 'hammer'], ['📎', 'paperclip'], ['💡', 'light bulb'],
  ['📚', 'books'], ['🎩', 'top hat'], ['👓', 'glasses'], ['🌂', 'umbrella'],
  ['⏰', 'alarm clock'], ['🚲', 'bicycle'], ['🚀', 'rocket'], ['🚂', 'train'],
  ['⛵', 'sailboat'], ['🏠', 'house'], ['🎲', 'dice'], ['🏆', 'trophy'],
  ['⚽', 'football'], ['👑', 'crown'], ['💎', 'gem'], ['🥁', 'drum'],
].map(([emoji, name]) => Object.freeze({ emoji, name })));

export const SAS_LENGTH = 6;
const kSasLabel = new TextEncoder().encode('aegis-e2ee-v1 sas');

function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

// The SAS for `room` and the members' raw identity keys (own included).
// Returns { emoji: [6], names: [6], text: 'e1 e2 ...', label: 'dog, cat, ...' }.
export async function computeSas(room, identityKeys) {
  if (typeof room !== 'string' || room === '') throw new TypeError('room must be a non-empty string');
  for (const k of identityKeys) {
    if (!(k instanceof Uint8Array) || k.length !== IDENTITY_KEY_BYTES) throw new TypeError('identity keys are 65 bytes');
  }
  const sorted = [...identityKeys].sort(compareBytes);
  const roomBytes = new TextEncoder().encode(room);
  const input = new Uint8Array(kSasLabel.length + 1 + roomBytes.length + 1 + sorted.length * IDENTITY_KEY_BYTES);
  let at = 0;
  for (const part of [kSasLabel, [0], roomBytes, [0], ...sorted]) {
    input.set(part, at);
    at += part.length;
  }
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  return sasFromHash(hash);
}

// Splits the first 36 bits of `hash` into six 6-bit indexes.
export function sasFromHash(hash) {
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(hash[i]);  // 40 bits, the first 36 used
  const picks = [];
  for (let i = 0; i < SAS_LENGTH; i++) picks.push(SAS_EMOJI[Number((bits >> BigInt(34 - 6 * i)) & 63n)]);
  return {
    emoji: picks.map((p) => p.emoji),
    names: picks.map((p) => p.name),
    text: picks.map((p) => p.emoji).join(' '),
    label: picks.map((p) => p.name).join(', '),
  };
}
