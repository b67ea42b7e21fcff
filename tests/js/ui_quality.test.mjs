// Tests for web/ui_quality.js (call-quality figures, the connection
// indicator's rule, who is speaking) under Node's test runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Series, SpeakingDetector, audioRms, classifyQuality, dBFS, localFigures, remoteFigures,
} from '../../web/ui_quality.js';

const remote = (o) => ({
  bytesReceived: 0, packetsReceived: 0, packetsLost: 0, jitterMs: 0, framesDecoded: 0, audioEnergy: 0, audioDuration: 0, ...o,
});

test('remoteFigures: bitrate, loss, frame rate over the interval; the round trip as given', () => {
  const a = remote({ bytesReceived: 10_000, packetsReceived: 100, packetsLost: 0, framesDecoded: 30 });
  const b = remote({ bytesReceived: 35_000, packetsReceived: 195, packetsLost: 5, framesDecoded: 45, jitterMs: 12 });
  const f = remoteFigures(a, b, 1000, 20);
  assert.equal(f.bitrateKbps, 200);  // 25,000 bytes in 1 s
  assert.equal(f.lossPct, 5);        // 5 lost of 100 expected
  assert.equal(f.fps, 15);
  assert.equal(f.rttMs, 20);
  assert.equal(f.jitterMs, 12);
  assert.equal(remoteFigures(a, b, 500, null).bitrateKbps, 400);
});

test('remoteFigures: counters that went backwards (a reused section) give no figure, not a wrong one', () => {
  const f = remoteFigures(remote({ bytesReceived: 9000, packetsReceived: 90, framesDecoded: 50 }),
                          remote({ bytesReceived: 100, packetsReceived: 2, framesDecoded: 1 }), 1000, 5);
  assert.equal(f.bitrateKbps, null);
  assert.equal(f.lossPct, null);
  assert.equal(f.fps, null);
  assert.equal(remoteFigures(null, remote({}), 1000, 5).bitrateKbps, null, 'no earlier report');
});

test("localFigures: send bitrate and frame rate from counters, loss from the server's fraction lost", () => {
  const f = localFigures({ bytesSent: 0, framesEncoded: 0 }, { bytesSent: 50_000, framesEncoded: 24, fractionLost: 0.03, rttMs: 42 }, 2000);
  assert.equal(f.bitrateKbps, 200);
  assert.equal(f.fps, 12);
  assert.ok(Math.abs(f.lossPct - 3) < 1e-9);
  assert.equal(f.rttMs, 42);
});

test('classifyQuality: good, fair, poor by loss, round trip, jitter and (with video) frame rate', () => {
  const good = { lossPct: 0, rttMs: 30, jitterMs: 5, fps: 15 };
  assert.equal(classifyQuality(good, { video: true }), 'good');
  assert.equal(classifyQuality({ ...good, lossPct: 3 }), 'fair');
  assert.equal(classifyQuality({ ...good, lossPct: 9 }), 'poor');
  assert.equal(classifyQuality({ ...good, rttMs: 400 }), 'fair');
  assert.equal(classifyQuality({ ...good, rttMs: 700 }), 'poor');
  assert.equal(classifyQuality({ ...good, jitterMs: 50 }), 'fair');
  assert.equal(classifyQuality({ ...good, fps: 7 }, { video: true }), 'fair');
  assert.equal(classifyQuality({ ...good, fps: 2 }, { video: true }), 'poor');
  assert.equal(classifyQuality({ ...good, fps: 0 }, { video: false }), 'good', 'no camera: frame rate does not count');
  assert.equal(classifyQuality(null), 'unknown');
});

test('audioRms: the RMS level of what played between two reports', () => {
  // A sine of amplitude 0.5 has RMS 0.3536: energy = rms^2 * seconds.
  const rms = 0.5 / Math.SQRT2;
  const level = audioRms({ audioEnergy: 1, audioDuration: 10 }, { audioEnergy: 1 + rms * rms * 0.15, audioDuration: 10.15 });
  assert.ok(Math.abs(level - rms) < 1e-9);
  assert.ok(Math.abs(dBFS(level) - -9.03) < 0.01);
  assert.equal(audioRms({ audioEnergy: 1, audioDuration: 10 }, { audioEnergy: 1, audioDuration: 10 }), null, 'nothing played');
  assert.equal(audioRms(null, { audioEnergy: 1, audioDuration: 10 }), null);
});

test('SpeakingDetector: speaking at once above the threshold, held between words, never after silence()', () => {
  const d = new SpeakingDetector({ onDb: -42, offDb: -50, holdMs: 700, switchMs: 1200 });
  const loud = 0.1;       // -20 dBFS
  const quiet = 0.001;    // -60 dBFS
  assert.equal(d.update('a', quiet, 0), false);
  assert.equal(d.update('a', loud, 150), true, 'at the first loud interval');
  assert.equal(d.update('a', quiet, 300), true, 'held');
  assert.equal(d.update('a', quiet, 800), true, 'still held (650 ms)');
  assert.equal(d.update('a', quiet, 900), false, 'released after 700 ms');
  assert.equal(d.update('a', null, 1000), false, 'nothing heard');
  d.update('a', loud, 1100);
  d.silence('a');
  assert.equal(d.isSpeaking('a'), false, 'muted people never speak');
});

test('SpeakingDetector: the active speaker is the loudest, and keeps the place for switchMs', () => {
  const d = new SpeakingDetector({ switchMs: 1200, holdMs: 700 });
  d.update('a', 0.05, 0);
  d.update('b', 0.01, 0);
  assert.equal(d.activeSpeaker(0), 'a');
  d.update('a', 0.02, 500);
  d.update('b', 0.2, 500);
  assert.equal(d.activeSpeaker(500), 'a', 'no switch within 1200 ms');
  d.update('a', 0.02, 1300);
  d.update('b', 0.2, 1300);
  assert.equal(d.activeSpeaker(1300), 'b', 'louder for long enough: switch');
  d.update('a', 0.0001, 2500);
  d.update('b', 0.0001, 2500);
  assert.equal(d.activeSpeaker(2500), 'b', 'nobody speaking any more: the last speaker stays');
  d.silence('b');
  assert.equal(d.activeSpeaker(2600), null, 'one who muted is forgotten');
});

test('Series keeps the last 60 values, non-finite ones as gaps', () => {
  const s = new Series(60);
  for (let i = 0; i < 70; i++) s.push(i);
  s.push(Number.NaN);
  assert.equal(s.values.length, 60);
  assert.equal(s.values[0], 11);
  assert.equal(s.last, null);
});
