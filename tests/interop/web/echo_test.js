// One WebRTC call from this page to the aegis-echo that served it: camera,
// microphone and a data channel go out, the server sends them back, and
// runEcho() reports what came back as a plain object (the browser test
// asserts on it). ES module, no inline script: it runs under the server's
// CSP (script-src 'self').

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});

function setStatus(text) {
  document.getElementById('status').textContent = text;
}

// Flips the last hex digit of every a=fingerprint: the certificate the
// server presents no longer matches what this peer was told to expect.
function tamperFingerprints(sdp) {
  return sdp.replace(/(a=fingerprint:\S+ [0-9A-Fa-f:]*)([0-9A-Fa-f])/g,
                     (_, head, last) => head + (last === '0' ? '1' : '0'));
}

// WHIP (RFC 9725): POST the offer, 201 with the answer and a resource URL.
async function postOffer(sdp) {
  const response = await fetch('/whip', {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp' },
    body: sdp,
  });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`WHIP POST: status ${response.status}: ${body}`);
  return { answer: body, resource: response.headers.get('Location') };
}

// Resolves with the first state in `wanted`, or with the current state when
// `ms` runs out.
function waitForConnectionState(pc, wanted, ms) {
  return new Promise((resolve) => {
    const done = () => {
      if (wanted.includes(pc.connectionState)) finish();
    };
    const finish = () => {
      clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', done);
      resolve(pc.connectionState);
    };
    const timer = setTimeout(finish, ms);
    pc.addEventListener('connectionstatechange', done);
    done();
  });
}

function waitForEcho(channel, text, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    channel.addEventListener('message', (e) => {
      clearTimeout(timer);
      resolve(typeof e.data === 'string' ? e.data : `<binary ${e.data.byteLength ?? e.data.size} bytes>`);
    }, { once: true });
    const send = () => channel.send(text);
    if (channel.readyState === 'open') send();
    else channel.addEventListener('open', send, { once: true });
  });
}

// The counters the test asserts on, from one getStats() call.
async function sample(pc) {
  const stats = await pc.getStats();
  const out = { at: performance.now(), video: null, audio: null, outboundVideo: null, transport: null };
  stats.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') {
      out.video = {
        ssrc: r.ssrc, packetsReceived: r.packetsReceived, packetsLost: r.packetsLost,
        framesReceived: r.framesReceived, framesDecoded: r.framesDecoded, framesDropped: r.framesDropped,
        keyFramesDecoded: r.keyFramesDecoded, frameWidth: r.frameWidth, frameHeight: r.frameHeight,
        nackCount: r.nackCount, pliCount: r.pliCount, firCount: r.firCount,
        decoderImplementation: r.decoderImplementation,
      };
    } else if (r.type === 'inbound-rtp' && r.kind === 'audio') {
      out.audio = { ssrc: r.ssrc, packetsReceived: r.packetsReceived, packetsLost: r.packetsLost,
                    totalSamplesReceived: r.totalSamplesReceived, concealedSamples: r.concealedSamples };
    } else if (r.type === 'outbound-rtp' && r.kind === 'video') {
      out.outboundVideo = { ssrc: r.ssrc, packetsSent: r.packetsSent, framesEncoded: r.framesEncoded,
                            pliCount: r.pliCount, nackCount: r.nackCount };
    } else if (r.type === 'transport') {
      out.transport = { dtlsState: r.dtlsState, iceState: r.iceState, srtpCipher: r.srtpCipher,
                        dtlsCipher: r.dtlsCipher, tlsVersion: r.tlsVersion, dtlsRole: r.dtlsRole };
    }
  });
  return out;
}

async function waitForFrames(pc, ms) {
  const deadline = performance.now() + ms;
  for (;;) {
    const s = await sample(pc);
    if ((s.video?.framesDecoded ?? 0) > 0 || performance.now() >= deadline) return s;
    await sleep(100);
  }
}

// Options: tamperFingerprint (alter the answer's fingerprints: this browser
// must refuse the server), tamperOfferFingerprint (alter the fingerprints of
// the offer the server gets: the server must refuse this browser), connectMs
// (how long to wait for connected/failed), sampleMs (the gap between the two
// framesDecoded samples).
export async function runEcho({ tamperFingerprint = false, tamperOfferFingerprint = false, connectMs = 10000,
                                sampleMs = 3500 } = {}) {
  const result = { tamperFingerprint, tamperOfferFingerprint, steps: [] };
  const started = performance.now();
  const step = (name) => result.steps.push(`${name} @${Math.round(performance.now() - started)}ms`);
  setStatus(`call${tamperFingerprint ? ', answer fingerprint altered' : ''}` +
            `${tamperOfferFingerprint ? ', offer fingerprint altered' : ''}`);
  const media = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 320, height: 240, frameRate: 30 },
  });
  const pc = new RTCPeerConnection();
  let resource = null;
  try {
    for (const track of media.getTracks()) pc.addTrack(track, media);
    const channel = pc.createDataChannel('echo');
    await pc.setLocalDescription(await pc.createOffer());
    step('offer');
    const offer = pc.localDescription.sdp;
    const sentOffer = tamperOfferFingerprint ? tamperFingerprints(offer) : offer;
    result.offerTampered = sentOffer !== offer;
    const whip = await postOffer(sentOffer);
    resource = whip.resource;
    const answer = tamperFingerprint ? tamperFingerprints(whip.answer) : whip.answer;
    result.answerFingerprints = answer.match(/a=fingerprint:.*/g) ?? [];
    result.answerTampered = answer !== whip.answer;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    step('answer');

    result.state = await waitForConnectionState(pc, ['connected', 'failed', 'closed'], connectMs);
    step(`state ${result.state}`);
    if (result.state === 'connected') {
      result.echo = await waitForEcho(channel, 'hello aegis', 5000);
      step('echo');
      result.first = await waitForFrames(pc, 5000);
      await sleep(sampleMs);
      result.second = await sample(pc);
    } else {
      result.echo = null;
      result.first = await sample(pc);
      result.second = result.first;
    }
    step('sampled');
    result.finalState = pc.connectionState;
  } finally {
    pc.close();
    for (const track of media.getTracks()) track.stop();
    if (resource) await fetch(resource, { method: 'DELETE' }).catch(() => {});
  }
  result.cspViolations = cspViolations.slice();
  setStatus('done');
  return result;
}

window.runEcho = runEcho;
setStatus('ready');
