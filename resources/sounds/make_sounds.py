"""Generate the desk's alarm sounds: 16-bit mono 22050 Hz WAV files, deterministic, stdlib only.

Run from anywhere: `python resources/sounds/make_sounds.py` rewrites the WAV files next to this
script. Each class of alarm has its own shape so an operator knows it before looking:

- life.wav        fall / SOS: urgent hi-lo two-tone (960/770 Hz, square-ish), 1.5 s
- fire.wav        fire / smoke / gas: fast rising whoop (500 -> 1300 Hz), 1.4 s
- security.wav    security: warble (1100 Hz +- 150 Hz at 12 Hz) in two bursts, 1.3 s
- welfare.wav     welfare: gentle descending three notes (E5 C#5 A4), 1.2 s
- grievance.wav   grievance: one soft bell chime, 0.7 s, quieter (-12 dBFS)
- checkin.wav     operator check-in request: three short pips, 0.5 s
- escalated1.wav  P1 unacknowledged 30 s: higher, faster two-tone (1400/1100 Hz), near full scale
- escalated2.wav  second escalation: very fast high whoop (1000 -> 2200 Hz), near full scale
- test.wav        the shift-start test: a rising two-note tone (880 -> 1320 Hz), 1.0 s

Normal sounds peak at -6 dBFS, the escalated ones at -0.5 dBFS, so an escalation is audibly
louder at the same volume setting.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

RATE = 22050
HERE = Path(__file__).resolve().parent

NORMAL_PEAK_DBFS = -6.0
SOFT_PEAK_DBFS = -12.0
LOUD_PEAK_DBFS = -0.5

#: odd harmonics with 1/n amplitudes: a square-ish, piercing timbre for alarms
ALARM_HARMONICS: Sequence[tuple[int, float]] = ((1, 1.0), (3, 1 / 3), (5, 1 / 5))
SINE: Sequence[tuple[int, float]] = ((1, 1.0),)


def _n(seconds: float) -> int:
    return round(seconds * RATE)


def tone_segment(
    freq: Callable[[float], float],
    seconds: float,
    harmonics: Sequence[tuple[int, float]] = ALARM_HARMONICS,
    envelope: Callable[[float], float] = lambda t: 1.0,
    fade_s: float = 0.005,
) -> list[float]:
    """A tone whose frequency may change over time (phase-accumulated, so sweeps are clean)."""
    count = _n(seconds)
    out: list[float] = []
    phase = 0.0
    fade = max(1, _n(fade_s))
    for i in range(count):
        t = i / RATE
        phase += 2 * math.pi * freq(t) / RATE
        value = sum(amp * math.sin(k * phase) for k, amp in harmonics)
        edge = min(1.0, i / fade, (count - 1 - i) / fade)
        out.append(value * envelope(t) * edge)
    return out


def silence(seconds: float) -> list[float]:
    return [0.0] * _n(seconds)


def const(f: float) -> Callable[[float], float]:
    return lambda t: f


def sweep(f0: float, f1: float, seconds: float) -> Callable[[float], float]:
    return lambda t: f0 + (f1 - f0) * min(1.0, t / seconds)


def bell(freq: float, seconds: float) -> list[float]:
    """A soft chime: inharmonic bell partials with an exponential decay."""
    count = _n(seconds)
    partials = ((1.0, 1.0, 4.0), (2.76, 0.35, 7.0), (5.4, 0.12, 11.0))
    attack = _n(0.004)
    out = []
    for i in range(count):
        t = i / RATE
        v = sum(a * math.exp(-d * t) * math.sin(2 * math.pi * freq * r * t) for r, a, d in partials)
        edge = min(1.0, i / attack, (count - 1 - i) / _n(0.02))
        out.append(v * edge)
    return out


def normalised(samples: list[float], peak_dbfs: float) -> list[int]:
    peak = max(abs(s) for s in samples) or 1.0
    scale = 32767 * 10 ** (peak_dbfs / 20) / peak
    return [round(s * scale) for s in samples]


def life() -> list[float]:
    out: list[float] = []
    for _ in range(4):
        out += tone_segment(const(960), 0.18) + tone_segment(const(770), 0.18)
    return out + silence(0.06)


def fire() -> list[float]:
    out: list[float] = []
    for _ in range(4):
        out += tone_segment(sweep(500, 1300, 0.3), 0.3) + silence(0.05)
    return out


def security() -> list[float]:
    def warble(t: float) -> float:
        return 1100 + 150 * math.sin(2 * math.pi * 12 * t)

    return tone_segment(warble, 0.55) + silence(0.15) + tone_segment(warble, 0.55) + silence(0.05)


def welfare() -> list[float]:
    def decay(t: float) -> float:
        return math.exp(-3.0 * t)

    out: list[float] = []
    for f in (659.26, 554.37, 440.0):
        out += tone_segment(const(f), 0.38, harmonics=((1, 1.0), (2, 0.2)), envelope=decay, fade_s=0.01)
        out += silence(0.02)
    return out


def grievance() -> list[float]:
    return bell(1318.5, 0.7)


def checkin() -> list[float]:
    out: list[float] = []
    for _ in range(3):
        out += tone_segment(const(1000), 0.08, harmonics=SINE) + silence(0.09)
    return out


def escalated1() -> list[float]:
    out: list[float] = []
    for _ in range(6):
        out += tone_segment(const(1400), 0.1) + tone_segment(const(1100), 0.1)
    return out


def escalated2() -> list[float]:
    out: list[float] = []
    for _ in range(7):
        out += tone_segment(sweep(1000, 2200, 0.15), 0.15) + silence(0.02)
    return out


def test() -> list[float]:
    return (
        tone_segment(const(880), 0.45, harmonics=SINE, fade_s=0.01)
        + silence(0.05)
        + tone_segment(const(1320), 0.5, harmonics=SINE, fade_s=0.01)
    )


SOUNDS: dict[str, tuple[Callable[[], list[float]], float]] = {
    "life": (life, NORMAL_PEAK_DBFS),
    "fire": (fire, NORMAL_PEAK_DBFS),
    "security": (security, NORMAL_PEAK_DBFS),
    "welfare": (welfare, NORMAL_PEAK_DBFS),
    "grievance": (grievance, SOFT_PEAK_DBFS),
    "checkin": (checkin, NORMAL_PEAK_DBFS),
    "escalated1": (escalated1, LOUD_PEAK_DBFS),
    "escalated2": (escalated2, LOUD_PEAK_DBFS),
    "test": (test, NORMAL_PEAK_DBFS),
}


def write_wav(path: Path, samples: list[int]) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))


def main(out_dir: Path = HERE) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, (make, peak) in SOUNDS.items():
        path = out_dir / f"{name}.wav"
        write_wav(path, normalised(make(), peak))
        print(f"{path.name:16} {path.stat().st_size:7d} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
