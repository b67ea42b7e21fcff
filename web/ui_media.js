// Local camera and microphone for the app: opening them with the chosen
// devices, the device lists, a microphone level meter (Web Audio), and what
// to tell people when a device is refused or missing.

// Remembered choices (this browser only).
export const store = {
  get(key) {
    try { return localStorage.getItem(`aegis.${key}`) ?? ''; } catch { return ''; }
  },
  set(key, value) {
    try { localStorage.setItem(`aegis.${key}`, value ?? ''); } catch { /* private mode: not remembered */ }
  },
};

// What went wrong with getUserMedia, and what to do next.
export function describeMediaError(e, what = 'camera and microphone') {
  switch (e?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `The browser blocked the ${what} for this page. Allow them in the site settings (the icon at ` +
             'the left of the address bar), then choose "Try again". You can still join to see and hear the others.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return `No ${what} found. Connect one and choose "Try again", or join without: you will still see and hear the others.`;
    case 'NotReadableError':
    case 'AbortError':
      return `The ${what} could not be started: another program may be using it. Close it and choose "Try again".`;
    default:
      return `The ${what} could not be opened (${e?.name ?? 'error'}: ${e?.message ?? ''}). You can still join to see and hear the others.`;
  }
}

export function audioConstraints(deviceId) {
  return deviceId ? { deviceId: { exact: deviceId } } : true;
}

export function videoConstraints(quality, deviceId) {
  return deviceId ? { ...quality, deviceId: { exact: deviceId } } : { ...quality };
}

// Opens what it can of { audio, video } (constraints or false): both at
// once, else each alone (a machine with a microphone and no camera still
// gets its microphone). Returns { audio: track|null, video: track|null,
// errors: { audio?, video? } }.
export async function openMedia({ audio, video }) {
  const out = { audio: null, video: null, errors: {} };
  if (!audio && !video) return out;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio, video });
    out.audio = stream.getAudioTracks()[0] ?? null;
    out.video = stream.getVideoTracks()[0] ?? null;
    return out;
  } catch (e) {
    if (!(audio && video) || e.name === 'NotAllowedError' || e.name === 'SecurityError') {
      if (audio) out.errors.audio = e;
      if (video) out.errors.video = e;
      return out;
    }
  }
  for (const kind of ['audio', 'video']) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ [kind]: kind === 'audio' ? audio : video });
      out[kind] = stream.getTracks()[0] ?? null;
    } catch (e) {
      out.errors[kind] = e;
    }
  }
  return out;
}

// { cameras, microphones, speakers }: [{ deviceId, label }], labels filled in
// once the page may use the devices.
export async function listDevices() {
  const all = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  const pick = (kind, fallback) => all.filter((d) => d.kind === kind && d.deviceId)
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
  return { cameras: pick('videoinput', 'Camera'), microphones: pick('audioinput', 'Microphone'), speakers: pick('audiooutput', 'Speaker') };
}

export function canChooseSpeaker() {
  return typeof HTMLMediaElement !== 'undefined' && typeof HTMLMediaElement.prototype.setSinkId === 'function';
}

// Fills a <select> with devices, keeping `chosen` selected when present.
export function fillSelect(select, devices, chosen, emptyText) {
  select.replaceChildren();
  for (const d of devices) {
    const option = document.createElement('option');
    option.value = d.deviceId;
    option.textContent = d.label;  // device names: text only
    select.append(option);
  }
  if (devices.length === 0) {
    const option = document.createElement('option');
    option.value = '';
    option.textContent = emptyText;
    select.append(option);
  }
  if (devices.some((d) => d.deviceId === chosen)) select.value = chosen;
  select.disabled = devices.length === 0;
}

// The level of one audio track, ~10 times a second: onLevel(rms 0..1).
// Needs a running AudioContext, which browsers allow after a user gesture:
// call resume() from one (a click, a key press).
export class LevelMeter {
  #context = null;
  #source = null;
  #analyser = null;
  #timer = null;
  #buffer = null;
  #onLevel;

  constructor(onLevel) {
    this.#onLevel = onLevel;
  }

  get running() {
    return this.#context?.state === 'running';
  }

  attach(track) {
    this.detach();
    if (!track || typeof AudioContext === 'undefined') return;
    this.#context ??= new AudioContext();
    this.#source = this.#context.createMediaStreamSource(new MediaStream([track]));
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = 1024;
    this.#buffer = new Float32Array(this.#analyser.fftSize);
    this.#source.connect(this.#analyser);
    this.#timer = setInterval(() => this.#sample(), 100);
  }

  resume() {
    if (this.#context && this.#context.state === 'suspended') this.#context.resume().catch(() => {});
  }

  detach() {
    clearInterval(this.#timer);
    this.#timer = null;
    this.#source?.disconnect();
    this.#source = null;
    this.#analyser = null;
    this.#onLevel(0);
  }

  close() {
    this.detach();
    this.#context?.close().catch(() => {});
    this.#context = null;
  }

  #sample() {
    if (!this.#analyser || this.#context.state !== 'running') return;
    this.#analyser.getFloatTimeDomainData(this.#buffer);
    let sum = 0;
    for (const v of this.#buffer) sum += v * v;
    this.#onLevel(Math.sqrt(sum / this.#buffer.length));
  }
}

// A level meter's bar: 0..1 of full scale shown on a dB scale (-60..0 dBFS).
export function showLevel(meter, rms) {
  const db = rms > 0 ? 20 * Math.log10(rms) : -100;
  const fraction = Math.min(1, Math.max(0, (db + 60) / 60));
  meter.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
  meter.dataset.rms = String(rms);
  meter.querySelector('.level-bar').style.transform = `scaleX(${fraction.toFixed(3)})`;
}

// Two letters for a camera-off tile: "Ada Lovelace" -> "AL".
export function initials(name) {
  const words = String(name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = [...words[0]][0] ?? '';
  const second = words.length > 1 ? [...words[words.length - 1]][0] ?? '' : [...words[0]][1] ?? '';
  return (first + second).toUpperCase();
}
