// Test-only page (chromium_meeting_app.mjs drives it): several extra
// participants in one page, so that a six-person call costs the machine one
// more page instead of three. Each joins with the real SDK on its own token
// (minted without the subscribe grant, so it decodes nothing) and publishes
// a small moving picture with its name on it (a canvas, 160x120 at 8 fps).
//   meeting_bots.html?room=M&e2ee=1#NAME=TOKEN&NAME=TOKEN...
// (tokens in the fragment: never sent to the server in a request line).
import { AegisRoom } from './sdk/aegis.js';

const params = new URLSearchParams(location.search);
const bots = [...new URLSearchParams(location.hash.slice(1))];
const state = { phase: 'joining', joined: [], errors: [] };
const rooms = [];

function picture(name, hue) {
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 120;
  document.getElementById('canvases').append(canvas);
  const ctx = canvas.getContext('2d');
  let frame = 0;
  setInterval(() => {
    frame++;
    ctx.fillStyle = `hsl(${hue} 45% 35%)`;
    ctx.fillRect(0, 0, 160, 120);
    ctx.fillStyle = `hsl(${hue} 70% 70%)`;
    ctx.beginPath();
    ctx.arc(80 + 40 * Math.cos(frame / 8), 70 + 20 * Math.sin(frame / 8), 18, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.font = '14px sans-serif';
    ctx.fillText(name, 8, 20);
  }, 125);
  return canvas.captureStream(8);
}

async function run() {
  let hue = 20;
  for (const [name, token] of bots) {
    try {
      const room = await AegisRoom.connect({ room: params.get('room'), token, e2ee: params.get('e2ee') !== '0' });
      room.addEventListener('error', (e) => state.errors.push(`${name}: ${e.code} ${e.message}`));
      rooms.push(room);
      await room.publish(picture(name, hue));
      state.joined.push({ name, id: room.participantId });
    } catch (e) {
      state.errors.push(`${name}: ${e.code ?? e.name} ${e.message}`);
    }
    hue += 110;
  }
  state.phase = state.errors.length ? 'error' : 'publishing';
  document.getElementById('phase').textContent = state.phase;
}

window.meetingBots = {
  state: () => JSON.parse(JSON.stringify(state)),
  leave: () => { for (const r of rooms) r.leave(); },
};
run();
