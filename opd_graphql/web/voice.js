// Calling a newly called number aloud: a chime from the Web Audio API, then the number
// and room in the browser's speech synthesis.
"use strict";

const CHIME_MS = 900;
const SPEECH_MAX_MS = 12000; // some TVs never report the end of an utterance

const PHRASES = {
  en: { token: "Token", room: "room" },
  hi: { token: "टोकन", room: "कमरा नंबर" },
};

function spokenCall(lang, number, room) {
  const words = PHRASES[lang.split("-")[0].toLowerCase()] ?? PHRASES.en;
  const said = `${words.token} ${number.replace(/-/g, " ")}`;
  if (!room) return said;
  return `${said}, ${isRoomCode(room) ? `${words.room} ${room}` : room}`;
}

/** Chimes and speaks each newly called number, one call after another. */
class Announcer {
  constructor({ lang, enabled }) {
    Object.assign(this, { lang, enabled });
    this.serving = new Map(); // queue -> the number it showed last
    this.calls = Promise.resolve();
    this.audio = null;
    // Browsers keep a page silent until it is touched once; a kiosk flag can lift that.
    for (const type of ["pointerdown", "keydown"]) {
      document.addEventListener(type, () => enabled && this.audioContext()?.resume(), {
        once: true,
      });
    }
  }

  /** A queue now serves `number`: call it when that is a change, never on first sight. */
  observe(queue, number, room) {
    const seen = this.serving.has(queue);
    const before = this.serving.get(queue);
    this.serving.set(queue, number);
    if (seen && number && number !== before) this.call(number, room);
  }

  call(number, room) {
    if (!this.enabled) return;
    const text = spokenCall(this.lang, number, room);
    // A call that fails must not silence the ones after it.
    this.calls = this.calls
      .then(async () => {
        this.chime();
        await new Promise((done) => setTimeout(done, CHIME_MS));
        await this.speak(text);
      })
      .catch(() => {});
  }

  audioContext() {
    const Context = window.AudioContext ?? window.webkitAudioContext;
    if (!this.audio && Context) {
      try {
        this.audio = new Context();
      } catch {
        return null;
      }
    }
    return this.audio;
  }

  chime() {
    const audio = this.audioContext();
    if (!audio) return;
    if (audio.state === "suspended") audio.resume().catch(() => {});
    const start = audio.currentTime + 0.05;
    [659.25, 880].forEach((frequency, i) => {
      const at = start + i * 0.28;
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.type = "sine";
      tone.frequency.setValueAtTime(frequency, at);
      volume.gain.setValueAtTime(0.0001, at);
      volume.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, at + 0.6);
      tone.connect(volume);
      volume.connect(audio.destination);
      tone.start(at);
      tone.stop(at + 0.65);
    });
  }

  speak(text) {
    const synth = window.speechSynthesis;
    if (!synth || typeof SpeechSynthesisUtterance !== "function") return Promise.resolve();
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = this.lang;
      utterance.rate = 0.9;
      const voices = synth.getVoices();
      const wanted = this.lang.toLowerCase();
      utterance.voice =
        voices.find((voice) => voice.lang.toLowerCase() === wanted) ??
        voices.find((voice) => voice.lang.toLowerCase().startsWith(wanted.split("-")[0])) ??
        null;
      const timer = setTimeout(resolve, SPEECH_MAX_MS);
      utterance.onend = utterance.onerror = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        synth.speak(utterance);
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
