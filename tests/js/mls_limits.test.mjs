// A burst of joiners is added at most MAX_ADDS_PER_COMMIT per commit (a
// commit and its Welcome must fit the server's 384 KiB mls_commit), and
// everyone still ends in one group.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { DeliveryService, makeServerSender } from './mls_ds.mjs';

const { MAX_ADDS_PER_COMMIT } = await import('../../web/sdk/e2ee_mls_member.js');
const { MlsSuite } = await import('../../web/sdk/e2ee_mls.js');
const { generateSignatureKeyPair } = await import('../../web/sdk/e2ee_identity_store.js');

test(`eleven joiners at once are added at most ${MAX_ADDS_PER_COMMIT} per commit, and all end in one group`, async () => {
  const ds = new DeliveryService({ suite: MlsSuite.X25519, server: await makeServerSender() });
  const welcomedAt = new Map();  // epoch the Welcome starts -> recipients
  ds.tamper = (to, msg) => {
    if (msg.type === 'mls_welcome') welcomedAt.set(msg.epoch, [...(welcomedAt.get(msg.epoch) ?? []), to]);
    return msg;
  };
  await ds.join({ id: 'p0', identity: 'creator', signatureKeyPair: await generateSignatureKeyPair() });
  await ds.settle();
  const joiners = [];
  for (let i = 1; i <= 11; i++) {
    joiners.push(`p${i}`);
    await ds.join({ id: `p${i}`, identity: `joiner${i}`, signatureKeyPair: await generateSignatureKeyPair() });
  }
  await ds.settle();
  const members = ['p0', ...joiners].map((id) => ds.client(id).member);
  assert.ok(members.every((m) => m.phase === 'member'), members.map((m) => m.phase).join(','));
  assert.equal(new Set(members.map((m) => m.roomCode())).size, 1);
  assert.equal(members[0].roster().length, 12);
  const batches = [...welcomedAt.values()].map((r) => r.length);
  assert.equal(batches.reduce((a, b) => a + b, 0), 11, `welcomes per epoch ${JSON.stringify([...welcomedAt])}`);
  // 8: what fits 384 KiB with room to spare for X-Wing (about 16 do).
  assert.ok(MAX_ADDS_PER_COMMIT <= 8);
  assert.ok(batches.length >= 2 && batches.every((n) => n <= 8), `batches ${batches}`);
  assert.ok(batches.some((n) => n === 8), `a full batch: ${batches}`);
});
