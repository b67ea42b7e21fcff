// Watches a call through AegisRoom.getCallStats(): who is speaking (every
// 100 ms, from the audio energy each receiver played: the receiver's own
// statistics, so nothing depends on the server or on frame contents, and it
// works under end-to-end encryption), and once a second the figures of each
// connection (bitrate, loss, round trip, frame rate) for the indicators and
// the stats panel's 60-second plots.
import { SpeakingDetector, Series, audioRms, classifyQuality, localFigures, remoteFigures } from './ui_quality.js';
import { drawPlot, formatValue } from './ui_plot.js';

const kFastMs = 100;
const kSlowMs = 1000;
// Your own level (the microphone, from the sending side's stats) every
// kSelfEvery fast ticks: nobody waits for their own outline.
const kSelfEvery = 4;

// The four plotted figures: key, label for self, label for others, unit.
export const kFigures = [
  { key: 'bitrate', self: 'Send', other: 'Receive', unit: 'kbit/s', pick: (f) => f.bitrateKbps },
  { key: 'loss', self: 'Loss', other: 'Loss', unit: '%', pick: (f) => f.lossPct },
  { key: 'rtt', self: 'Round trip', other: 'Round trip', unit: 'ms', pick: (f) => f.rttMs },
  { key: 'fps', self: 'Frames', other: 'Frames', unit: 'fps', pick: (f) => f.fps },
];

export class CallMonitor {
  #room;
  #hooks;
  #timer = null;
  #busy = false;
  #fastPrev = null;
  #selfPrev = null;
  #slowPrev = null;
  #ticks = 0;
  #remoteSpeech = new SpeakingDetector();
  #selfSpeech = new SpeakingDetector();
  // 'self' or a participant id -> { bitrate, loss, rtt, fps: Series, figures }
  #series = new Map();

  // hooks: micOn(id|null) and cameraOn(id|null) say what a participant
  // sends; onSpeaking(id|null, bool); onActiveSpeaker(id|null);
  // onQuality(id|null, quality, detail); onSample() after each second.
  constructor(room, hooks) {
    this.#room = room;
    this.#hooks = hooks;
  }

  start() {
    this.stop();
    this.#timer = setInterval(() => this.#tick(), kFastMs);
  }

  stop() {
    clearInterval(this.#timer);
    this.#timer = null;
  }

  // [{ key: 'self' | id, figures: {...}, series: { bitrate, loss, rtt, fps } }]
  series() {
    return [...this.#series.entries()].map(([key, s]) => ({ key, figures: s.figures, series: s }));
  }

  async #tick() {
    if (this.#busy) return;
    this.#busy = true;
    try {
      // Only what arrives, most of the time; both sides when a second is up
      // (the quality figures) or for your own level.
      const slowDue = !this.#slowPrev || performance.now() - this.#slowPrev.at >= kSlowMs - kFastMs / 2;
      const withLocal = slowDue || this.#ticks++ % kSelfEvery === 0;
      const cur = await this.#room.getCallStats({ local: withLocal });
      this.#speaking(cur);
      if (cur.local) {
        this.#selfSpeaking(cur);
        this.#selfPrev = cur;
      }
      if (slowDue) {
        if (this.#slowPrev) this.#quality(this.#slowPrev, cur);
        this.#slowPrev = cur;
      }
      this.#fastPrev = cur;
    } catch {
      // the room closed under us: the app stops the monitor
    } finally {
      this.#busy = false;
    }
  }

  #speaking(cur) {
    const prev = this.#fastPrev;
    const now = cur.at;
    const h = this.#hooks;
    for (const id of Object.keys(cur.remote)) {
      if (!h.micOn(id)) {
        this.#remoteSpeech.silence(id);
        h.onSpeaking(id, false);
        continue;
      }
      h.onSpeaking(id, this.#remoteSpeech.update(id, audioRms(prev?.remote[id], cur.remote[id]), now));
    }
    h.onActiveSpeaker(this.#remoteSpeech.activeSpeaker(now));
  }

  #selfSpeaking(cur) {
    const h = this.#hooks;
    if (h.micOn(null)) {
      h.onSpeaking(null, this.#selfSpeech.update('self', audioRms(this.#selfPrev?.local, cur.local), cur.at));
    } else {
      this.#selfSpeech.silence('self');
      h.onSpeaking(null, false);
    }
  }

  #quality(prev, cur) {
    const dt = cur.at - prev.at;
    const h = this.#hooks;
    const seen = new Set(['self']);
    this.#record('self', localFigures(prev.local, cur.local, dt), null);
    for (const id of Object.keys(cur.remote)) {
      seen.add(id);
      this.#record(id, remoteFigures(prev.remote[id], cur.remote[id], dt, cur.rttMs), id);
    }
    // Someone who publishes nothing (both off) has no receive stats: keep
    // their plots going with gaps rather than a stale last value.
    for (const [key, s] of this.#series) {
      if (seen.has(key)) continue;
      for (const f of kFigures) s[f.key].push(null);
      s.figures = null;
      if (h.known && !h.known(key)) this.#series.delete(key);
      else h.onQuality(key, 'unknown', 'nothing arrives from them');
    }
    h.onSample?.();
  }

  #record(key, figures, id) {
    let s = this.#series.get(key);
    if (!s) {
      s = Object.fromEntries(kFigures.map((f) => [f.key, new Series(60)]));
      this.#series.set(key, s);
    }
    s.figures = figures;
    for (const f of kFigures) s[f.key].push(figures ? f.pick(figures) : null);
    const sends = key === 'self' ? this.#hooks.micOn(null) || this.#hooks.cameraOn(null)
                                 : this.#hooks.micOn(id) || this.#hooks.cameraOn(id);
    const quality = !figures || !sends ? 'unknown'
      : classifyQuality(figures, { video: key === 'self' ? this.#hooks.cameraOn(null) : this.#hooks.cameraOn(id) });
    const detail = figures ? `loss ${formatValue(figures.lossPct, '%')}, round trip ${formatValue(figures.rttMs, 'ms')}` +
      `${figures.jitterMs !== null ? `, jitter ${formatValue(figures.jitterMs, 'ms')}` : ''}, ${formatValue(figures.fps, 'fps')}` : '';
    this.#hooks.onQuality(key === 'self' ? null : id, quality, detail);
  }
}

// The stats panel: a section of four plots for yourself and each other
// participant, redrawn once a second while the panel is open.
export class StatsPanel {
  #list;
  #template;
  #sections = new Map();

  constructor(list, template) {
    this.#list = list;
    this.#template = template;
  }

  // rows: CallMonitor.series(); nameOf(key) -> display name (text).
  render(rows, nameOf) {
    const keep = new Set();
    for (const row of rows) {
      const name = nameOf(row.key);
      if (name === null) continue;  // left the call
      keep.add(row.key);
      let section = this.#sections.get(row.key);
      if (!section) {
        section = this.#template.content.firstElementChild.cloneNode(true);
        section.dataset.pid = row.key;
        this.#sections.set(row.key, section);
        if (row.key === 'self') this.#list.prepend(section);
        else this.#list.append(section);
      }
      section.querySelector('.stats-name').textContent = row.key === 'self' ? `${name} (you, sending)` : `${name} (receiving)`;
      for (const f of kFigures) {
        const canvas = section.querySelector(`canvas[data-figure="${f.key}"]`);
        drawPlot(canvas, row.series[f.key].values, { label: row.key === 'self' ? f.self : f.other, unit: f.unit });
      }
    }
    for (const [key, section] of this.#sections) {
      if (keep.has(key)) continue;
      section.remove();
      this.#sections.delete(key);
    }
  }

  clear() {
    this.#list.replaceChildren();
    this.#sections.clear();
  }
}
