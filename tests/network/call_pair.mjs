// Two pages of the demo app (e2ee=0, video=low) calling each other in one
// room, for the cases whose server listens on a veth (client_netns.sh:
// HTTPS with its self-signed certificate).
//   const { a, b, aId, bId } = await openCallPair(browser, baseUrl, 'T', { A: tokenA, B: tokenB });
//   await framesFrom(a, bId)   // video frames A decoded of B so far
import { openApp, waitFor } from '../interop/chromium_harness.mjs';

export async function openCallPair(browser, baseUrl, room, tokens, { timeoutMs = 20_000 } = {}) {
  const open = (who) => openApp(browser, baseUrl, { room, name: who, token: tokens[who], autojoin: '1', e2ee: '0',
    video: 'low' }, { label: who, contextOptions: { ignoreHTTPSErrors: true } });
  const a = await open('A');
  const b = await open('B');
  const state = (page) => page.evaluate(() => window.aegisApp.state());
  const joined = await waitFor(async () => (await state(a)) === 'joined' && (await state(b)) === 'joined', timeoutMs);
  if (!joined.value) throw new Error('the pages did not both join');
  const selfId = (page) => page.evaluate(() => window.aegisApp.selfId());
  return { a, b, aId: await selfId(a), bId: await selfId(b) };
}

export async function framesFrom(page, participantId) {
  const stats = await page.evaluate(() => window.aegisApp.remoteStats());
  return stats[participantId]?.videoFramesDecoded ?? 0;
}

// Each open connection of the page (its RTCPeerConnections, kept by
// openApp's init script): its state and its selected candidate pair.
//   [{ state, local: { protocol, type, tcpType, relayProtocol, address }, remote: { protocol, address, port } }]
export function selectedPairs(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const pc of window.__peerConnections) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      let pair = null;
      stats.forEach((r) => {
        if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
      });
      const local = pair && stats.get(pair.localCandidateId);
      const remote = pair && stats.get(pair.remoteCandidateId);
      out.push({
        state: pc.connectionState,
        local: local ? { protocol: local.protocol, type: local.candidateType, tcpType: local.tcpType ?? null,
          relayProtocol: local.relayProtocol ?? null, address: local.address } : null,
        remote: remote ? { protocol: remote.protocol, address: remote.address, port: remote.port } : null,
      });
    }
    return out;
  });
}
