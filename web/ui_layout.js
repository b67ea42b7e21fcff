// Tile geometry for the call stage: pure functions of the tile count and the
// stage size (no DOM), so they are tested under Node (tests/js/ui_layout.test.mjs).
//
// Grid view: 1, 2, 4, 9… tiles in the grid shape that gives each tile the
// largest area. A tile's aspect ratio stays between 4:3 and 16:9 (the video
// inside covers it: at most the sides of a 16:9 picture are cut), so tiles
// use the stage instead of leaving bands above and below. The last row, when
// not full, is centred.
// Speaker view: the focused tile (the active speaker) large, the others in a
// strip beside it (wide stages) or below it (tall ones).
// A screen share: its tile large the same way, in either view (stageLayout);
// placeVideos says which of a participant's videos is its screen.

export const kMinAspect = 4 / 3;
export const kMaxAspect = 16 / 9;

// The largest tile of aspect within [kMinAspect, kMaxAspect] that fits a
// w × h cell: { width, height }.
export function fitTile(w, h) {
  if (!(w > 0 && h > 0)) return { width: 0, height: 0 };
  const aspect = w / h;
  if (aspect > kMaxAspect) return { width: h * kMaxAspect, height: h };
  if (aspect < kMinAspect) return { width: w, height: w / kMinAspect };
  return { width: w, height: h };
}

// n tiles in a width × height stage with `gap` pixels between them:
// { cols, rows, tileWidth, tileHeight, rects: [{ x, y, width, height }] }
// (rects in tile order, rows from the top, each row centred).
export function gridLayout(n, width, height, { gap = 8 } = {}) {
  if (n <= 0 || !(width > 0 && height > 0)) return { cols: 0, rows: 0, tileWidth: 0, tileHeight: 0, rects: [] };
  let best = null;
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const cellW = (width - gap * (cols - 1)) / cols;
    const cellH = (height - gap * (rows - 1)) / rows;
    const tile = fitTile(cellW, cellH);
    // Ties go to fewer columns (fewer empty slots in the last row).
    if (!best || tile.width * tile.height > best.tile.width * best.tile.height + 1e-6) best = { cols, rows, tile };
  }
  const { cols, rows, tile } = best;
  const rects = [];
  const blockH = rows * tile.height + (rows - 1) * gap;
  const top = (height - blockH) / 2;
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / cols);
    const inRow = row === rows - 1 ? n - row * cols : cols;
    const rowW = inRow * tile.width + (inRow - 1) * gap;
    const left = (width - rowW) / 2;
    const col = i - row * cols;
    rects.push({ x: left + col * (tile.width + gap), y: top + row * (tile.height + gap), width: tile.width, height: tile.height });
  }
  return { cols, rows, tileWidth: tile.width, tileHeight: tile.height, rects };
}

// Speaker view: tile `focus` large, the rest in a strip. Returns
// { rects } in tile order (the focused tile's rect at index `focus`).
export function speakerLayout(n, width, height, focus, { gap = 8 } = {}) {
  if (n <= 1) return gridLayout(n, width, height, { gap });
  const f = Math.min(Math.max(0, focus | 0), n - 1);
  const others = n - 1;
  const side = width / height >= 1.5;  // a wide stage: the strip goes to the right
  let main;
  let strip;
  if (side) {
    const stripW = Math.max(120, width * 0.22);
    main = { x: 0, y: 0, width: width - stripW - gap, height };
    strip = gridLayout(others, stripW, height, { gap });
    strip.rects = strip.rects.map((r) => ({ ...r, x: r.x + main.width + gap }));
  } else {
    const stripH = Math.max(90, height * 0.22);
    main = { x: 0, y: 0, width, height: height - stripH - gap };
    strip = gridLayout(others, width, stripH, { gap });
    strip.rects = strip.rects.map((r) => ({ ...r, y: r.y + main.height + gap }));
  }
  const big = fitTile(main.width, main.height);
  const mainRect = { x: main.x + (main.width - big.width) / 2, y: main.y + (main.height - big.height) / 2, ...big };
  const rects = [];
  let k = 0;
  for (let i = 0; i < n; i++) rects.push(i === f ? mainRect : strip.rects[k++]);
  return { rects };
}

// Whether two rects overlap by more than `slack` pixels in both directions.
export function overlaps(a, b, slack = 0.5) {
  return a.x + a.width - slack > b.x && b.x + b.width - slack > a.x &&
         a.y + a.height - slack > b.y && b.y + b.height - slack > a.y;
}

// Where a remote participant's video tracks go. videos: [{ track, source }]
// in the order they arrived; source 'screen' | 'camera' | null (unknown: the
// SDK learns it from end-to-end encrypted frames only, AegisRoom.sourceOf).
// Returns { camera, screens, others }: the one video shown in the
// participant's own tile (a known camera first, else the first video that is
// not a screen), its screen shares (each a tile of its own, shown large),
// and any further videos (a tile of their own each, not enlarged: nothing
// says what they are).
export function placeVideos(videos) {
  const screens = videos.filter((v) => v.source === 'screen').map((v) => v.track);
  const rest = videos.filter((v) => v.source !== 'screen');
  const camera = rest.find((v) => v.source === 'camera') ?? rest[0] ?? null;
  return { camera: camera?.track ?? null, screens, others: rest.filter((v) => v !== camera).map((v) => v.track) };
}

// The stage's rects for n tiles: while someone shares a screen, that screen's
// tile (index `screen`) is large beside a strip of the others in either view
// (the presenter's camera among them, small); otherwise speaker view
// enlarges tile `focus` and grid view none.
export function stageLayout(n, width, height, { view = 'grid', focus = 0, screen = null } = {}) {
  if (screen !== null && screen >= 0 && screen < n) return speakerLayout(n, width, height, screen).rects;
  return view === 'speaker' ? speakerLayout(n, width, height, focus).rects : gridLayout(n, width, height).rects;
}
