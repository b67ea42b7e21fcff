// The pre-join check: your camera's preview and your microphone's level
// before you join, the camera, microphone and speaker to use (remembered in
// this browser), and joining with either turned off. When the browser
// refuses the devices or there are none, it says what to do, and joining
// still works (you see and hear the others).
import {
  LevelMeter, audioConstraints, canChooseSpeaker, describeMediaError, fillSelect, initials, listDevices, openMedia,
  showLevel, store, videoConstraints,
} from './ui_media.js';

const $ = (id) => document.getElementById(id);

export class PreJoin {
  #quality;
  #audio = null;
  #video = null;
  #micOn = true;
  #camOn = true;
  #errors = {};
  #meter;
  #started = false;
  #opening = Promise.resolve();

  constructor({ videoQuality }) {
    this.#quality = videoQuality;
    this.#meter = new LevelMeter((rms) => showLevel($('mic-level'), this.#micOn ? rms : 0));
    $('prejoin-mic').addEventListener('click', () => this.#toggleMic());
    $('prejoin-camera').addEventListener('click', () => this.#toggleCamera());
    $('media-retry').addEventListener('click', () => this.#retry());
    $('camera-select').addEventListener('change', () => {
      store.set('camera', $('camera-select').value);
      if (this.#camOn) this.#queue(() => this.#open({ video: true }));
    });
    $('mic-select').addEventListener('change', () => {
      store.set('microphone', $('mic-select').value);
      this.#queue(() => this.#open({ audio: true }));
    });
    $('speaker-select').addEventListener('change', () => store.set('speaker', $('speaker-select').value));
    $('name').addEventListener('input', () => this.#showPlaceholder());
    // Browsers start audio processing only after a gesture on the page.
    const resume = () => this.#meter.resume();
    document.addEventListener('pointerdown', resume);
    document.addEventListener('keydown', resume);
  }

  get speakerId() {
    return canChooseSpeaker() ? $('speaker-select').value || store.get('speaker') : '';
  }

  // Opens the camera and microphone for the preview (once) and lists the devices.
  start() {
    if (this.#started) return this.#opening;
    this.#started = true;
    $('speaker-hint').hidden = canChooseSpeaker();
    return this.#queue(() => this.#open({ audio: true, video: this.#camOn }));
  }

  // Hands the devices to the call: { audio, video, micOn, camOn, checked }
  // (checked: the preview ran, so missing tracks are missing devices). The
  // tracks now belong to the caller; the preview lets go of them.
  take() {
    const out = {
      audio: this.#audio, video: this.#camOn ? this.#video : null, micOn: this.#micOn, camOn: this.#camOn, checked: this.#started,
    };
    if (!this.#camOn) this.#video?.stop();
    this.#audio = null;
    this.#video = null;
    this.#meter.detach();
    $('preview').srcObject = null;
    this.#started = false;
    return out;
  }

  stop() {
    this.#audio?.stop();
    this.#video?.stop();
    this.#audio = null;
    this.#video = null;
    this.#meter.detach();
    $('preview').srcObject = null;
    this.#started = false;
  }

  #queue(fn) {
    this.#opening = this.#opening.then(fn).catch(() => {});
    return this.#opening;
  }

  async #open({ audio = false, video = false }) {
    const want = {
      audio: audio ? audioConstraints($('mic-select').value || store.get('microphone')) : false,
      video: video ? videoConstraints(this.#quality, $('camera-select').value || store.get('camera')) : false,
    };
    let got = await openMedia(want);
    // A remembered device that is gone: take the default one instead.
    for (const kind of ['audio', 'video']) {
      if (got.errors[kind]?.name === 'OverconstrainedError') {
        const again = await openMedia({ [kind]: kind === 'audio' ? true : { ...this.#quality } });
        got = { ...got, [kind]: again[kind], errors: { ...got.errors, [kind]: again.errors[kind] } };
      }
    }
    if (audio) {
      this.#audio?.stop();
      this.#audio = got.audio;
      this.#errors.audio = got.errors.audio ?? null;
      this.#meter.attach(this.#audio);
    }
    if (video) {
      this.#video?.stop();
      this.#video = got.video;
      this.#errors.video = got.errors.video ?? null;
      $('preview').srcObject = this.#video ? new MediaStream([this.#video]) : null;
      if (this.#video) $('preview').play().catch(() => {});
    }
    await this.#refreshDevices();
    this.#showState();
  }

  async #refreshDevices() {
    const { cameras, microphones, speakers } = await listDevices();
    const current = (track) => track?.getSettings?.().deviceId ?? '';
    fillSelect($('camera-select'), cameras, current(this.#video) || store.get('camera'), 'No camera found');
    fillSelect($('mic-select'), microphones, current(this.#audio) || store.get('microphone'), 'No microphone found');
    fillSelect($('speaker-select'), speakers, store.get('speaker'), 'Default speaker');
    if (!canChooseSpeaker()) $('speaker-select').disabled = true;
  }

  #showState() {
    const mic = $('prejoin-mic');
    const cam = $('prejoin-camera');
    mic.disabled = !this.#audio && !this.#errors.audio;
    cam.disabled = false;
    mic.setAttribute('aria-pressed', String(this.#micOn && Boolean(this.#audio)));
    cam.setAttribute('aria-pressed', String(this.#camOn && Boolean(this.#video)));
    const problems = [];
    const a = this.#errors.audio;
    const v = this.#errors.video;
    if (a && v && a.name === v.name) problems.push(describeMediaError(a));
    else {
      if (a) problems.push(describeMediaError(a, 'microphone'));
      if (v && this.#camOn) problems.push(describeMediaError(v, 'camera'));
    }
    $('media-message').textContent = problems.join(' ');
    $('media-message').hidden = problems.length === 0;
    $('media-retry').hidden = problems.length === 0;
    this.#showPlaceholder();
  }

  #showPlaceholder() {
    const off = !this.#camOn || !this.#video;
    $('preview-placeholder').hidden = !off;
    $('preview').hidden = off;
    $('preview-placeholder').querySelector('.initials').textContent = initials($('name').value || '?');
    $('preview-placeholder').querySelector('.placeholder-text').textContent =
      !this.#camOn ? 'Camera is off' : this.#errors.video ? 'No camera' : 'Starting camera…';
  }

  #toggleMic() {
    this.#meter.resume();
    if (!this.#audio) return this.#queue(() => this.#open({ audio: true }));
    this.#micOn = !this.#micOn;
    this.#showState();
    return undefined;
  }

  #toggleCamera() {
    this.#camOn = !this.#camOn;
    if (!this.#camOn) {
      // Off means off: the camera's light goes out.
      this.#video?.stop();
      this.#video = null;
      $('preview').srcObject = null;
      this.#showState();
      return this.#opening;
    }
    return this.#queue(() => this.#open({ video: true }));
  }

  #retry() {
    this.#micOn = true;
    this.#camOn = true;
    return this.#queue(() => this.#open({ audio: !this.#audio, video: !this.#video }));
  }
}
