// Capture aids on the posture session page: a grid over the chosen photo, and a level from the
// phone's motion sensor where the browser gives one. Nothing is sent anywhere: the sensor
// readings stay in the page. Words come from the template's data attributes (translated there).

const TILT_LIMIT_DEG = 1.5; // sideways roll: the size of the obliquities being measured
const PITCH_LIMIT_DEG = 3.0; // looking up or down: perspective, less direct harm to angles

const input = document.querySelector('input[type="file"][name="photo"]');
const preview = document.getElementById("posture-preview");
const previewImage = document.getElementById("posture-preview-image");
let previewUrl = null;

if (input && preview && previewImage) {
  input.addEventListener("change", () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    const file = input.files && input.files[0];
    if (!file) {
      preview.hidden = true;
      previewUrl = null;
      return;
    }
    previewUrl = URL.createObjectURL(file);
    previewImage.src = previewUrl;
    preview.hidden = false;
  });
}

const level = document.getElementById("posture-level");
const button = document.getElementById("posture-level-check");
const status = document.getElementById("posture-level-status");

function degrees(radians) {
  return (radians * 180) / Math.PI;
}

// The sideways roll: the angle of gravity in the screen plane from the nearest screen axis, so
// portrait and landscape both read 0 when level. Pitch: gravity out of the screen plane.
function tiltFrom(g) {
  const inPlane = degrees(Math.atan2(g.x, g.y));
  let roll = inPlane - 90 * Math.round(inPlane / 90);
  if (Math.abs(roll) < 0.05) roll = 0;
  const pitch = degrees(Math.atan2(g.z, Math.hypot(g.x, g.y)));
  return { roll, pitch };
}

function show(text, tilted) {
  status.textContent = text;
  status.classList.toggle("tilted", tilted);
}

function format(value) {
  return Math.abs(value).toLocaleString(document.documentElement.lang || undefined, {
    maximumFractionDigits: 1,
    minimumFractionDigits: 1,
  });
}

async function startLevel() {
  if (typeof window.DeviceMotionEvent === "undefined") {
    show(level.dataset.nosensor, false);
    return;
  }
  // iOS asks for permission, and only inside a user gesture (this click).
  if (typeof window.DeviceMotionEvent.requestPermission === "function") {
    try {
      if ((await window.DeviceMotionEvent.requestPermission()) !== "granted") {
        show(level.dataset.denied, false);
        return;
      }
    } catch {
      show(level.dataset.denied, false);
      return;
    }
  }
  let seen = false;
  window.addEventListener("devicemotion", (event) => {
    const g = event.accelerationIncludingGravity;
    if (!g || g.x === null || g.y === null || g.z === null) return;
    seen = true;
    const { roll, pitch } = tiltFrom(g);
    if (Math.abs(roll) > TILT_LIMIT_DEG || Math.abs(pitch) > PITCH_LIMIT_DEG) {
      show(
        level.dataset.tilted.replace("{roll}", format(roll)).replace("{pitch}", format(pitch)),
        true,
      );
    } else {
      show(level.dataset.level, false);
    }
  });
  // A desktop browser has the event type but no sensor: it never fires.
  window.setTimeout(() => {
    if (!seen) show(level.dataset.nosensor, false);
  }, 1500);
}

if (level && button && status) {
  button.addEventListener("click", startLevel);
}
