// Tests for web/ui_layout.js (the call stage's tile geometry) under Node's
// test runner. Run: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fitTile, gridLayout, kMaxAspect, kMinAspect, overlaps, placeVideos, speakerLayout, stageLayout,
} from '../../web/ui_layout.js';

const area = (rects) => rects.reduce((sum, r) => sum + r.width * r.height, 0);

function assertSound(rects, width, height, what) {
  for (const [i, r] of rects.entries()) {
    assert.ok(r.x >= -0.01 && r.y >= -0.01 && r.x + r.width <= width + 0.01 && r.y + r.height <= height + 0.01,
              `${what}: tile ${i} ${JSON.stringify(r)} inside ${width}x${height}`);
    assert.ok(r.width > 0 && r.height > 0, `${what}: tile ${i} has a size`);
    for (let j = i + 1; j < rects.length; j++) {
      assert.ok(!overlaps(r, rects[j]), `${what}: tiles ${i} and ${j} do not overlap`);
    }
  }
}

test('fitTile keeps tiles between 4:3 and 16:9', () => {
  assert.deepEqual(fitTile(1600, 900), { width: 1600, height: 900 });
  assert.deepEqual(fitTile(2000, 900), { width: 1600, height: 900 });  // too wide: 16:9
  assert.deepEqual(fitTile(800, 900), { width: 800, height: 600 });    // too tall: 4:3
  assert.deepEqual(fitTile(0, 100), { width: 0, height: 0 });
});

test('gridLayout: 1, 2, 4, 9 tiles in a 16:9 stage are 1x1, 2x1, 2x2, 3x3', () => {
  const shapes = [1, 2, 4, 9].map((n) => gridLayout(n, 1600, 900)).map((l) => `${l.cols}x${l.rows}`);
  assert.deepEqual(shapes, ['1x1', '2x1', '2x2', '3x3']);
});

test('gridLayout: every count up to 16 in several stages: inside, no overlap, aspect kept, last row centred', () => {
  for (const [w, h] of [[1264, 720], [784, 520], [400, 700], [1900, 400], [300, 200]]) {
    for (let n = 1; n <= 16; n++) {
      const l = gridLayout(n, w, h);
      assert.equal(l.rects.length, n);
      assertSound(l.rects, w, h, `${n} tiles in ${w}x${h}`);
      const aspect = l.tileWidth / l.tileHeight;
      assert.ok(aspect >= kMinAspect - 1e-9 && aspect <= kMaxAspect + 1e-9, `aspect ${aspect} for ${n} in ${w}x${h}`);
      const last = l.rects.filter((r) => Math.abs(r.y - l.rects[n - 1].y) < 0.01);
      const left = last[0].x;
      const right = w - (last[last.length - 1].x + last[last.length - 1].width);
      assert.ok(Math.abs(left - right) < 0.01, `last row centred (${left} vs ${right})`);
    }
  }
});

test('gridLayout: 1, 3 and 6 tiles fill at least 60 % of a 1280x800 window (stage 1264x720 below a 64 px bar)', () => {
  for (const n of [1, 3, 6]) {
    const l = gridLayout(n, 1264, 720);
    const share = area(l.rects) / (1280 * 800);
    console.log(`  ${n} tiles: ${l.cols}x${l.rows}, ${Math.round(l.tileWidth)}x${Math.round(l.tileHeight)} each, ${(100 * share).toFixed(1)} % of 1280x800`);
    assert.ok(share >= 0.6, `${n} tiles fill ${(100 * share).toFixed(1)} %`);
  }
});

test('gridLayout: the grid that gives the largest tiles wins', () => {
  for (const n of [2, 3, 5, 6, 7]) {
    const best = gridLayout(n, 1264, 720);
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      const t = fitTile((1264 - 8 * (cols - 1)) / cols, (720 - 8 * (rows - 1)) / rows);
      assert.ok(t.width * t.height <= best.tileWidth * best.tileHeight + 1e-6, `${n} tiles: ${cols} columns is not bigger`);
    }
  }
});

test('speakerLayout: the focused tile is the largest, the others beside or below it, none overlapping', () => {
  for (const [w, h] of [[1264, 720], [600, 800]]) {
    for (const n of [2, 3, 6]) {
      for (const focus of [0, n - 1]) {
        const { rects } = speakerLayout(n, w, h, focus);
        assert.equal(rects.length, n);
        assertSound(rects, w, h, `speaker view ${n} in ${w}x${h} focus ${focus}`);
        const big = rects[focus].width * rects[focus].height;
        rects.forEach((r, i) => { if (i !== focus) assert.ok(r.width * r.height < big / 2, 'the others are small'); });
      }
    }
  }
  assert.equal(speakerLayout(1, 800, 600, 0).rects.length, 1);
});

test('placeVideos: screens apart; the camera is the known camera, else the first video that is not a screen', () => {
  const [a, b, c] = ['a', 'b', 'c'].map((id) => ({ id }));
  assert.deepEqual(placeVideos([]), { camera: null, screens: [], others: [] });
  // Before the first frame nothing is known: the first video is shown as the camera.
  assert.deepEqual(placeVideos([{ track: a, source: null }]), { camera: a, screens: [], others: [] });
  // Camera then screen share (E2EE: both known).
  assert.deepEqual(placeVideos([{ track: a, source: 'camera' }, { track: b, source: 'screen' }]),
                   { camera: a, screens: [b], others: [] });
  // The screen share arrived first (camera off), then the camera came back.
  assert.deepEqual(placeVideos([{ track: b, source: 'screen' }, { track: a, source: null }]),
                   { camera: a, screens: [b], others: [] });
  // A screen whose source is not known yet is shown where a camera would be,
  // then moves out as soon as it is known.
  assert.deepEqual(placeVideos([{ track: b, source: null }]), { camera: b, screens: [], others: [] });
  assert.deepEqual(placeVideos([{ track: b, source: 'screen' }]), { camera: null, screens: [b], others: [] });
  // Without E2EE: a second video of unknown source is a tile of its own, not enlarged.
  assert.deepEqual(placeVideos([{ track: a, source: null }, { track: b, source: null }]),
                   { camera: a, screens: [], others: [b] });
  // A known camera wins over an earlier unknown one.
  assert.deepEqual(placeVideos([{ track: c, source: null }, { track: a, source: 'camera' }]),
                   { camera: a, screens: [], others: [c] });
});

test('stageLayout: a screen share is the largest tile in either view; without one, grid or speaker as chosen', () => {
  for (const [w, h] of [[1264, 720], [784, 520], [400, 700]]) {
    for (let n = 2; n <= 8; n++) {
      for (const view of ['grid', 'speaker']) {
        const screen = n - 2;  // the screen tile sits just before the self tile
        const rects = stageLayout(n, w, h, { view, focus: 0, screen });
        assert.equal(rects.length, n);
        assertSound(rects, w, h, `${n} tiles with a screen in ${w}x${h} (${view})`);
        const big = rects[screen].width * rects[screen].height;
        rects.forEach((r, i) => {
          if (i !== screen) assert.ok(r.width * r.height < big, `${view} ${w}x${h} n=${n}: tile ${i} smaller than the screen`);
        });
      }
    }
  }
  assert.deepEqual(stageLayout(4, 1264, 720, { view: 'grid' }), gridLayout(4, 1264, 720).rects);
  assert.deepEqual(stageLayout(4, 1264, 720, { view: 'speaker', focus: 2 }), speakerLayout(4, 1264, 720, 2).rects);
  assert.deepEqual(stageLayout(4, 1264, 720, { view: 'grid', screen: 9 }), gridLayout(4, 1264, 720).rects, 'no such tile: no screen');
});
