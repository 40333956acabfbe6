// The tray icon, drawn in code so the shell ships no binary asset until a designed icon exists:
// a ring around a dot, 16 logical pixels at 2x. On macOS it is a template image (black plus alpha)
// so the menu bar tints it for light and dark mode.
import { nativeImage, type NativeImage } from "electron";

const LOGICAL_SIZE = 16;
const SCALE = 2;
const SAMPLES = 4; // per axis, for anti-aliased edges

/** Coverage of the shape at a point in logical coordinates, 0 or 1. */
function inShape(x: number, y: number): boolean {
  const r = Math.hypot(x - LOGICAL_SIZE / 2, y - LOGICAL_SIZE / 2);
  return (r >= 4.6 && r <= 7.2) || r <= 2.2;
}

export function createTrayIcon(platform: NodeJS.Platform = process.platform): NativeImage {
  const template = platform === "darwin";
  const [red, green, blue] = template ? [0, 0, 0] : [0x1f, 0x8a, 0x70];
  const size = LOGICAL_SIZE * SCALE;
  // Chromium's native bitmap layout on every platform Electron ships: BGRA, premultiplied alpha.
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          if (inShape((px + (sx + 0.5) / SAMPLES) / SCALE, (py + (sy + 0.5) / SAMPLES) / SCALE)) hits++;
        }
      }
      const alpha = hits / (SAMPLES * SAMPLES);
      const at = (py * size + px) * 4;
      pixels[at] = Math.round(blue * alpha);
      pixels[at + 1] = Math.round(green * alpha);
      pixels[at + 2] = Math.round(red * alpha);
      pixels[at + 3] = Math.round(255 * alpha);
    }
  }
  const image = nativeImage.createFromBitmap(pixels, { width: size, height: size, scaleFactor: SCALE });
  if (template) image.setTemplateImage(true);
  return image;
}
