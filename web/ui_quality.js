// Call-quality figures and who is speaking, from two successive
// AegisRoom.getCallStats() reports. Pure (no DOM): tested under Node
// (tests/js/ui_quality.test.mjs).

// What one participant's connection looks like over the last interval:
// { bitrateKbps, lossPct, rttMs, jitterMs, fps } (null where unknown).
// `prev` and `cur` are the same side's counters from two reports `dtMs`
// apart. Counters that went backwards (a receive section reused for another
// stream) give null rather than a wrong number.
export function remoteFigures(prev, cur, dtMs, rttMs) {
  if (!cur) return null;
  const sec = dtMs / 1000;
  const d = (k) => (prev && cur[k] >= prev[k] ? cur[k] - prev[k] : null);
  const bytes = d('bytesReceived');
  const packets = d('packetsReceived');
  const lost = d('packetsLost');
  const frames = d('framesDecoded');
  return {
    bitrateKbps: bytes === null || !(sec > 0) ? null : (bytes * 8) / 1000 / sec,
    lossPct: packets === null || lost === null ? null : packets + lost > 0 ? (100 * lost) / (packets + lost) : 0,
    rttMs: typeof rttMs === 'number' ? rttMs : null,
    jitterMs: typeof cur.jitterMs === 'number' ? cur.jitterMs : null,
    fps: frames === null || !(sec > 0) ? null : frames / sec,
  };
}

// The same for what this participant sends. Loss is the server's receiver
// report (fraction lost of the worst stream), the round trip RTCP's.
export function localFigures(prev, cur, dtMs) {
  if (!cur) return null;
  const sec = dtMs / 1000;
  const d = (k) => (prev && cur[k] >= prev[k] ? cur[k] - prev[k] : null);
  const bytes = d('bytesSent');
  const frames = d('framesEncoded');
  return {
    bitrateKbps: bytes === null || !(sec > 0) ? null : (bytes * 8) / 1000 / sec,
    lossPct: typeof cur.fractionLost === 'number' ? 100 * cur.fractionLost : null,
    rttMs: typeof cur.rttMs === 'number' ? cur.rttMs : null,
    jitterMs: null,
    fps: frames === null || !(sec > 0) ? null : frames / sec,
  };
}

// good | fair | poor for a connection indicator. Video frame rate counts
// only when video is expected (the camera is on).
export const kQualityThresholds = {
  fair: { lossPct: 2, rttMs: 300, jitterMs: 30, fps: 10 },
  poor: { lossPct: 8, rttMs: 600, jitterMs: 80, fps: 4 },
};

export function classifyQuality(f, { video = false } = {}) {
  if (!f) return 'unknown';
  const over = (t) => (f.lossPct ?? 0) > t.lossPct || (f.rttMs ?? 0) > t.rttMs || (f.jitterMs ?? 0) > t.jitterMs ||
                      (video && f.fps !== null && f.fps !== undefined && f.fps < t.fps);
  if (over(kQualityThresholds.poor)) return 'poor';
  if (over(kQualityThresholds.fair)) return 'fair';
  return 'good';
}

// The root-mean-square level (0..1 of full scale) of the audio played over
// the interval, from totalAudioEnergy / totalSamplesDuration (both grow as
// audio plays: energy is the sum of squared sample levels times duration).
export function audioRms(prev, cur) {
  if (!prev || !cur) return null;
  const dE = cur.audioEnergy - prev.audioEnergy;
  const dT = cur.audioDuration - prev.audioDuration;
  if (!(dT > 0) || !(dE >= 0)) return null;
  return Math.sqrt(dE / dT);
}

export const dBFS = (rms) => (rms > 0 ? 20 * Math.log10(rms) : -Infinity);

// Who is speaking: a participant starts speaking when its level rises above
// `onDb` and stops `holdMs` after it was last above `offDb` (so the outline
// does not flicker between words). The active speaker is the loudest one
// speaking; it keeps the place for at least `switchMs` unless it stops.
export class SpeakingDetector {
  #onDb;
  #offDb;
  #holdMs;
  #switchMs;
  #state = new Map();  // id -> { speaking, lastLoudAt, level }
  #active = null;
  #activeSince = 0;

  constructor({ onDb = -42, offDb = -50, holdMs = 700, switchMs = 1200 } = {}) {
    this.#onDb = onDb;
    this.#offDb = offDb;
    this.#holdMs = holdMs;
    this.#switchMs = switchMs;
  }

  // A level (RMS 0..1, or null: nothing heard) for `id` at time `now` (ms).
  // Returns whether `id` is speaking now.
  update(id, rms, now) {
    const s = this.#state.get(id) ?? { speaking: false, lastLoudAt: -Infinity, level: -Infinity };
    const db = rms === null || rms === undefined ? -Infinity : dBFS(rms);
    s.level = db;
    if (db > this.#onDb) {
      s.speaking = true;
      s.lastLoudAt = now;
    } else if (db > this.#offDb && s.speaking) {
      s.lastLoudAt = now;
    } else if (s.speaking && now - s.lastLoudAt > this.#holdMs) {
      s.speaking = false;
    }
    this.#state.set(id, s);
    return s.speaking;
  }

  // Forgets `id` (it left, or muted: muted people never speak).
  silence(id) {
    this.#state.delete(id);
    if (this.#active === id) this.#active = null;
  }

  isSpeaking(id) {
    return this.#state.get(id)?.speaking ?? false;
  }

  // The active speaker after the updates made at `now`: an id or null.
  activeSpeaker(now) {
    const current = this.#active !== null && this.isSpeaking(this.#active) ? this.#active : null;
    let loudest = null;
    for (const [id, s] of this.#state) {
      if (s.speaking && (loudest === null || s.level > this.#state.get(loudest).level)) loudest = id;
    }
    if (current === null || (loudest !== null && loudest !== current && now - this.#activeSince >= this.#switchMs)) {
      if (loudest !== null && loudest !== this.#active) {
        this.#active = loudest;
        this.#activeSince = now;
      }
    }
    return this.#active;
  }
}

// The last `capacity` values of one figure (one a second: 60 s), oldest first.
export class Series {
  #values = [];
  #capacity;

  constructor(capacity = 60) {
    this.#capacity = capacity;
  }

  push(value) {
    this.#values.push(typeof value === 'number' && Number.isFinite(value) ? value : null);
    if (this.#values.length > this.#capacity) this.#values.shift();
  }

  get values() { return [...this.#values]; }
  get last() { return this.#values.length ? this.#values[this.#values.length - 1] : null; }
  get capacity() { return this.#capacity; }
}
