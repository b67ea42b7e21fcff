// The call stage: one tile per participant (the remote ones first, in the
// order they came, then your own), laid out by ui_layout.js in a grid or in
// speaker view, re-laid whenever the stage changes size. A tile shows the
// video, or the initials when the camera is off; the name (always as text);
// a crossed microphone when the microphone is off; a connection indicator;
// and a green outline while its participant speaks. Double-click, or the
// tile's full-screen button, shows one tile full screen.
//
// A participant's further videos get tiles of their own (setVideos): its
// screen share, shown large beside a strip of everyone else (its camera
// small among them) in either view, and a video whose source nobody told
// (a screen share in a room without end-to-end encryption, see
// AegisRoom.shareScreen), shown like any other tile.
import { stageLayout } from './ui_layout.js';
import { initials } from './ui_media.js';

const kQualityText = { good: 'good', fair: 'fair', poor: 'poor', unknown: 'not measured yet' };

export class Stage {
  #container;
  #template;
  #self;
  #tiles = new Map();  // participant id -> tile
  #videos = [];  // video tiles: { participantId, track, screen, figure, video }, oldest first
  #view = 'grid';
  #focus = null;  // participant id shown large in speaker view (null: yourself)
  #observer;
  #onChange;

  // onChange(): called after tiles come or go (the app updates counts).
  constructor(container, template, selfFigure, { onChange = () => {} } = {}) {
    this.#container = container;
    this.#template = template;
    this.#self = { figure: selfFigure, video: selfFigure.querySelector('video'), name: 'You' };
    this.#onChange = onChange;
    this.#wireFullscreen(selfFigure, 'your own tile');
    this.#observer = new ResizeObserver(() => this.layout());
    this.#observer.observe(container);
  }

  get view() { return this.#view; }
  get size() { return this.#tiles.size + 1; }
  get(id) { return this.#tiles.get(id) ?? null; }
  get self() { return this.#self; }
  ids() { return [...this.#tiles.keys()]; }

  // Your own tile: "Ada (you)", initials "A…"; no name: "You".
  setSelfName(name) {
    const label = name ? `${name} (you)` : 'You';
    this.#self.name = label;
    this.#self.figure.querySelector('.name').textContent = label;
    this.#self.figure.querySelector('.initials').textContent = initials(name || 'You');
    this.#self.figure.setAttribute('aria-label', label);
  }

  // A tile for `participant` ({ id, name }); `decorate(tile)` adds what the
  // app needs (admin buttons). Returns the tile, new or existing.
  add(participant, decorate = () => {}) {
    const known = this.#tiles.get(participant.id);
    if (known) return known;
    const figure = this.#template.content.firstElementChild.cloneNode(true);
    figure.dataset.participantId = participant.id;
    const name = participant.name || '(no name)';
    // Names come from other people's tokens: text only, never HTML.
    figure.querySelector('.name').textContent = name;
    figure.querySelector('.initials').textContent = initials(name);
    figure.setAttribute('aria-label', name);
    const video = figure.querySelector('video');
    video.setAttribute('aria-label', `Video of ${name}`);
    figure.querySelector('.mic-off').setAttribute('aria-label', `${name}'s microphone is off`);
    const tile = { id: participant.id, name, figure, video, tracks: new Set() };
    this.#wireFullscreen(figure, name);
    decorate(tile);
    this.#tiles.set(participant.id, tile);
    this.#container.insertBefore(figure, this.#self.figure);
    this.layout();
    this.#onChange();
    return tile;
  }

  remove(id) {
    this.setVideos(id, []);
    const tile = this.#tiles.get(id);
    if (!tile) return;
    tile.video.srcObject = null;
    tile.figure.remove();
    this.#tiles.delete(id);
    if (this.#focus === id) this.#focus = null;
    this.layout();
    this.#onChange();
  }

  clear() {
    for (const id of [...this.#tiles.keys()]) this.remove(id);
  }

  // The video tiles of participant `id` beside its own tile: videos is
  // [{ track, screen }] (screen: its screen share, shown large). Tiles of
  // tracks no longer listed go; a track whose `screen` changed keeps its tile.
  setVideos(id, videos) {
    const owner = this.#tiles.get(id);
    let changed = false;
    for (const v of [...this.#videos]) {
      if (v.participantId !== id || videos.some((x) => x.track === v.track)) continue;
      v.video.srcObject = null;
      v.figure.remove();
      this.#videos.splice(this.#videos.indexOf(v), 1);
      changed = true;
    }
    for (const { track, screen } of owner ? videos : []) {
      let v = this.#videos.find((x) => x.track === track);
      if (!v) {
        v = this.#videoTile(owner, track);
        this.#videos.push(v);
        changed = true;
      }
      if (v.screen !== Boolean(screen)) {
        v.screen = Boolean(screen);
        this.#labelVideo(v, owner.name);
        changed = true;
      }
    }
    if (changed) this.layout();
  }

  // The video tiles: [{ participantId, screen, figure, video, track }].
  videoTiles() { return this.#videos.map((v) => ({ ...v })); }

  #videoTile(owner, track) {
    const figure = this.#template.content.firstElementChild.cloneNode(true);
    figure.classList.add('video-tile');
    figure.dataset.participantId = owner.id;
    figure.dataset.camera = 'on';
    figure.querySelector('.initials').textContent = initials(owner.name);
    // Only a name: sound, connection and moderation live on the participant's own tile.
    for (const sel of ['.mic-off', '.cam-off', '.indicator', '.muted', '.admin-actions']) figure.querySelector(sel)?.remove();
    const video = figure.querySelector('video');
    video.muted = true;
    video.srcObject = new MediaStream([track]);
    video.play().catch(() => {});
    const v = { participantId: owner.id, track, screen: null, figure, video };
    this.#wireFullscreen(figure, owner.name);
    this.#container.insertBefore(figure, this.#self.figure);
    return v;
  }

  #labelVideo(v, name) {
    const label = v.screen ? `${name}'s screen` : `${name}'s other video`;
    v.figure.dataset.screen = String(v.screen);
    v.figure.querySelector('.name').textContent = label;
    v.figure.setAttribute('aria-label', label);
    v.video.setAttribute('aria-label', label);
    v.figure.querySelector('.fullscreen')?.setAttribute('aria-label', `Show ${label} full screen`);
  }

  // mic / camera: 'on' | 'off' for tile `id` (or the self tile: null).
  setDevices(id, { mic, camera }) {
    const tile = id === null ? this.#self : this.#tiles.get(id);
    if (!tile) return;
    const f = tile.figure;
    if (mic !== undefined) f.dataset.mic = mic ? 'on' : 'off';
    if (camera !== undefined) {
      f.dataset.camera = camera ? 'on' : 'off';
      f.querySelector('.cam-off').textContent = camera ? '' : `${id === null ? 'your' : `${tile.name}'s`} camera is off`;
    }
    if (mic === false) this.setSpeaking(id, false);
  }

  setSpeaking(id, speaking) {
    const tile = id === null ? this.#self : this.#tiles.get(id);
    if (!tile) return;
    const value = String(Boolean(speaking));
    if (tile.figure.dataset.speaking !== value) tile.figure.dataset.speaking = value;
  }

  setQuality(id, quality, detail = '') {
    const tile = id === null ? this.#self : this.#tiles.get(id);
    if (!tile) return;
    const el = tile.figure.querySelector('.indicator');
    tile.figure.dataset.quality = quality;
    el.dataset.quality = quality;
    const text = `Connection ${kQualityText[quality] ?? quality}${detail ? `: ${detail}` : ''}`;
    el.setAttribute('aria-label', text);
    el.title = text;
  }

  // 'grid' | 'speaker'
  setView(view) {
    this.#view = view === 'speaker' ? 'speaker' : 'grid';
    this.#container.dataset.view = this.#view;
    this.layout();
  }

  // Who is large in speaker view (an id; null: keep the current one).
  setFocus(id) {
    if (id === this.#focus || (id !== null && !this.#tiles.has(id))) return;
    this.#focus = id;
    for (const tile of this.#tiles.values()) tile.figure.dataset.focus = String(tile.id === id);
    if (this.#view === 'speaker') this.layout();
  }

  layout() {
    const { clientWidth: width, clientHeight: height } = this.#container;
    const figures = [...this.#tiles.values()].map((t) => t.figure);
    const ids = [...this.#tiles.keys()];
    // The active speaker; before anyone spoke, the first of the others.
    const focus = this.#focus !== null && ids.includes(this.#focus) ? ids.indexOf(this.#focus) : 0;
    // The newest screen share is the one shown large.
    const screens = this.#videos.filter((v) => v.screen);
    const screen = screens.length ? figures.length + this.#videos.indexOf(screens[screens.length - 1]) : null;
    figures.push(...this.#videos.map((v) => v.figure), this.#self.figure);
    this.#container.dataset.presenting = String(screen !== null);
    const rects = stageLayout(figures.length, width, height, { view: this.#view, focus, screen });
    if (rects.length !== figures.length) return;  // a hidden stage has no size
    figures.forEach((f, i) => {
      const r = rects[i];
      // Positions through the CSSOM (allowed by the CSP, unlike style attributes).
      f.style.left = `${r.x}px`;
      f.style.top = `${r.y}px`;
      f.style.width = `${r.width}px`;
      f.style.height = `${r.height}px`;
    });
  }

  #wireFullscreen(figure, name) {
    const toggle = () => {
      if (document.fullscreenElement === figure) document.exitFullscreen().catch(() => {});
      else figure.requestFullscreen?.().catch(() => {});
    };
    figure.addEventListener('dblclick', toggle);
    const button = figure.querySelector('.fullscreen');
    if (button) {
      button.setAttribute('aria-label', `Show ${name} full screen`);
      button.addEventListener('click', toggle);
    }
    // Keyboard: Enter on a focused tile does what a double-click does.
    figure.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target === figure) toggle();
    });
  }
}
