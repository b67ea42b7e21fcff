import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

// What a page's video did, from its RTCPeerConnections' stats (the pages
// keep them: chromium_harness.mjs keepPeerConnections), summed over its
// connections: received (inbound-rtp) and its own sent (outbound-rtp).
export async function videoStats(page) {
  return page.evaluate(async () => {
    const out = {
      framesDecoded: 0, freezeCount: 0, nackSent: 0, packetsLost: 0, packetsReceived: 0, bytesReceived: 0,
      retransmittedReceived: 0, nackReceived: 0, retransmittedSent: 0, bytesSent: 0,
    };
    for (const pc of window.__peerConnections) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r) => {
        if (r.kind !== 'video') return;
        if (r.type === 'inbound-rtp') {
          out.framesDecoded += r.framesDecoded ?? 0;
          out.freezeCount += r.freezeCount ?? 0;
          out.nackSent += r.nackCount ?? 0;
          out.packetsLost += r.packetsLost ?? 0;
          out.packetsReceived += r.packetsReceived ?? 0;
          out.bytesReceived += r.bytesReceived ?? 0;
          out.retransmittedReceived += r.retransmittedPacketsReceived ?? 0;
        } else if (r.type === 'outbound-rtp') {
          out.nackReceived += r.nackCount ?? 0;
          out.retransmittedSent += r.retransmittedPacketsSent ?? 0;
          out.bytesSent += r.bytesSent ?? 0;
        }
      });
    }
    return out;
  });
}

// The counters that changed between two videoStats() results.
export const statsDiff = (after, before) =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));

// What each page's video did over a window of `ms`: the counters' change,
// the window's length in seconds, and the frames decoded per second.
export async function measureVideo(pages, ms) {
  const before = await Promise.all(pages.map(videoStats));
  const start = Date.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await Promise.all(pages.map(videoStats));
  const seconds = (Date.now() - start) / 1000;
  return after.map((a, i) => {
    const d = statsDiff(a, before[i]);
    return { ...d, seconds, fps: d.framesDecoded / seconds };
  });
}

// A YUV4MPEG2 file of 10 frames of random noise (640x480) in `dir`, for
// Chromium's --use-file-for-fake-video-capture: its own fake pattern
// compresses to under 200 kbit/s, which no link a test caps would limit;
// noise takes all the encoder gets. Returns the file's path.
export function writeNoiseCamera(dir) {
  const w = 640, h = 480, frame = w * h * 3 / 2;
  const parts = [Buffer.from(`YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < 10; ++i) parts.push(Buffer.from('FRAME\n'), randomBytes(frame));
  const file = path.join(dir, 'noise.y4m');
  writeFileSync(file, Buffer.concat(parts));
  return file;
}
