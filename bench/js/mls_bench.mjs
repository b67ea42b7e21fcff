// MLS costs of the E2EE v2 member layer (web/sdk/e2ee_mls_member.js over the
// ts-mls bundle web/sdk/mls_vendor.js) for the two offered suites, in Node.
// A benchmark, not a test: it reports numbers and asserts nothing.
//
//   node bench/js/mls_bench.mjs                 # table
//   node bench/js/mls_bench.mjs --json          # one JSON object per line
//   node bench/js/mls_bench.mjs --runs 3        # repetitions of the group scenarios (default 3)
//   node bench/js/mls_bench_chromium.mjs        # the same in Chromium (headless), same flags
//
// What it measures (wall-clock ms of the member's own calls; the in-test
// Delivery Service of tests/js/mls_ds.mjs carries the messages):
// - keypackage: MlsMember.create (a KeyPackage signed with a WebCrypto
//   Ed25519 key), median of 20;
// - 10th joiner, in a group of 9: the committer's handleInput(participant_joined)
//   that builds the commit adding the joiner (with its Welcome); the joiner's
//   handleInput(mls_welcome) (join, checks, mls_member, frame base key); its
//   first frame (SFrame key from (base key, KID) and one decryption); and what
//   a sending member spends processing the commit before it encrypts under the
//   new epoch. The path from `joined` to the joiner's first decrypted frame is
//   commit + max(welcome, a sender's processing) + first frame, plus network
//   round trips (not here);
// - 50 members: the commit adding a 51st (committer) and its processing by each
//   of the other 49 members (median and 90th percentile over them).
// Every figure is a median over runs; each suite's runs alternate with the other's.

// Runs in Node and, loaded by mls_bench_chromium.mjs, in Chromium.
const inNode = typeof process !== 'undefined' && process.versions?.node;
const os = inNode ? (await import('node:os')).default : null;

const { DeliveryService, makeServerSender } = await import('../../tests/js/mls_ds.mjs');
const { MlsMember } = await import('../../web/sdk/e2ee_mls_member.js');
const { MlsSuite } = await import('../../web/sdk/e2ee_mls.js');
const { generateSignatureKeyPair } = await import('../../web/sdk/e2ee_identity_store.js');
const { FRAME_SUITE, frameKid } = await import('../../web/sdk/e2ee_mls_keys.js');
const { SframeSender, SframeReceiver } = await import('../../web/sdk/sframe.js');

const args = inNode ? process.argv.slice(2) : new URL(import.meta.url).searchParams.getAll('arg');
const json = args.includes('--json');
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const suites = [['X-Wing (83)', MlsSuite.XWING], ['X25519 (1)', MlsSuite.X25519]];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(0.9 * xs.length) - 1)];

// Times every handleInput of each member, by message type.
function instrument(ds, client) {
  const member = client.member;
  if (member.timings) return;
  const original = member.handleInput.bind(member);
  member.timings = [];
  member.handleInput = async (msg, now) => {
    const t0 = performance.now();
    await original(msg, now);
    member.timings.push({ type: msg.type, from: msg.from, ms: performance.now() - t0 });
  };
}

async function newMember(suite, identity) {
  return MlsMember.create({ identity, name: identity, signatureKeyPair: await generateSignatureKeyPair(), suite });
}

// n members joined at once: the first creates the group, then commits all the others in one commit.
async function groupOf(suite, n, server) {
  const ds = new DeliveryService({ suite, server });
  await ds.join({ identity: 'm0', name: 'm0', member: await newMember(suite, 'm0') });
  await ds.settle();
  for (let i = 1; i < n; i++) await ds.join({ identity: `m${i}`, name: `m${i}`, member: await newMember(suite, `m${i}`) });
  await ds.settle();
  const epochs = new Set([...ds.clients.values()].map((c) => c.member.epoch));
  if (epochs.size !== 1 || ds.clients.size !== n) throw new Error('group did not form');
  return ds;
}

// One member joins a settled group; returns the timings.
async function addOne(ds, suite, identity) {
  for (const c of ds.clients.values()) {
    instrument(ds, c);
    c.member.timings.length = 0;
  }
  const joiner = await ds.join({ identity, name: identity, member: await newMember(suite, identity) });
  instrument(ds, joiner);
  await ds.settle();
  const committerId = ds.accepted.at(-1).from;
  const committer = ds.client(committerId);
  const commit = committer.member.timings.filter((t) => t.type === 'participant_joined').reduce((a, t) => a + t.ms, 0);
  const processing = [...ds.clients.values()]
    .filter((c) => c !== committer && c !== joiner)
    .map((c) => c.member.timings.find((t) => t.type === 'mls_commit').ms);
  const welcome = joiner.member.timings.find((t) => t.type === 'mls_welcome').ms;
  return { committer, joiner, commit, processing, welcome };
}

async function firstFrame(sender, joiner) {
  const { epoch, baseKey } = await sender.member.frameBaseKey();
  const kid = frameKid({ context: 1, leaf: sender.member.leaf, epoch });
  const frame = await (await SframeSender.create(FRAME_SUITE, kid, baseKey)).encrypt(new Uint8Array(1200));
  const t0 = performance.now();
  const { baseKey: joinerKey } = await joiner.member.frameBaseKey();
  const receiver = new SframeReceiver(FRAME_SUITE);
  await receiver.addKey(kid, joinerKey);
  await receiver.decrypt(frame);
  return performance.now() - t0;
}

const results = {};  // suite label -> metric -> [values]
const record = (label, metric, value) => {
  results[label] ??= {};
  (results[label][metric] ??= []).push(value);
};

const server = await makeServerSender();
await newMember(MlsSuite.X25519, 'warmup');  // loads the bundle and the suites once

for (const [label, suite] of suites) {
  for (let i = 0; i < 3; i++) await newMember(suite, 'warmup');
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await newMember(suite, `kp${i}`);
    record(label, 'keypackage_ms', performance.now() - t0);
  }
}

for (let run = 0; run < runs; run++) {
  for (const [label, suite] of suites) {
    const ds = await groupOf(suite, 9, server);
    const r = await addOne(ds, suite, 'tenth');
    const frame = await firstFrame(r.committer, r.joiner);
    record(label, 'join10_commit_ms', r.commit);
    record(label, 'join10_welcome_ms', r.welcome);
    record(label, 'join10_first_frame_ms', frame);
    record(label, 'join10_sender_process_ms', median(r.processing));
    record(label, 'join10_path_ms', r.commit + Math.max(r.welcome, median(r.processing)) + frame);
  }
}

for (const [label, suite] of suites) {
  const t0 = performance.now();
  const ds = await groupOf(suite, 50, server);
  record(label, 'group50_build_s', (performance.now() - t0) / 1000);
  for (let run = 0; run < runs; run++) {
    const r = await addOne(ds, suite, `late${run}`);
    record(label, 'group50_commit_ms', r.commit);
    record(label, 'group50_process_median_ms', median(r.processing));
    record(label, 'group50_process_p90_ms', p90(r.processing));
    record(label, 'group50_process_max_ms', Math.max(...r.processing));
  }
}

const env = inNode
  ? { runtime: `node ${process.version}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' ') }
  : { runtime: navigator.userAgent, cpus: navigator.hardwareConcurrency };
if (json) {
  for (const [label, metrics] of Object.entries(results)) {
    for (const [metric, values] of Object.entries(metrics)) {
      console.log(JSON.stringify({ suite: label, metric, median: +median(values).toFixed(2), values: values.map((v) => +v.toFixed(2)) }));
    }
  }
  console.log(JSON.stringify({ env }));
} else {
  const labels = Object.keys(results);
  console.log(`| metric | ${labels.join(' | ')} |`);
  console.log(`|---|${labels.map(() => '---:').join('|')}|`);
  for (const metric of Object.keys(results[labels[0]])) {
    const cell = (l) => {
      const v = results[l][metric];
      return `${median(v).toFixed(1)} (${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)})`;
    };
    console.log(`| ${metric} | ${labels.map(cell).join(' | ')} |`);
  }
  console.log(`\n${env.runtime}, ${env.cpus} CPUs ${env.cpu ?? ''}, load average ${env.loadavg ?? '?'}, runs ${runs}`);
}
globalThis.mlsBenchDone = true;
