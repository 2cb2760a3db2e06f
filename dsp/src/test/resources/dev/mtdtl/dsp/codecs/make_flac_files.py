#!/usr/bin/env python3
"""Makes the real FLAC files of FlacReaderTest and their sources, from ffmpeg's FLAC encoder.

Why: FlacReader decodes FLAC by hand since 2026-12-07 (jflac before). FLAC is lossless, so each file must decode to
its source WAV exactly; the files cover what an encoder writes and the hand-made FlacBytes (VERBATIM subframes
only) does not: FIXED and LPC subframes up to order 32, Rice and Rice2 residuals with partitions, escape codes,
CONSTANT subframes, wasted bits, each stereo decorrelation (independent, left/side, right/side, mid/side), 24-bit
samples at 96 kHz, six channels.

Run (numpy, and ffmpeg; the pip wheel imageio-ffmpeg ships one):
    python3 make_flac_files.py [--ffmpeg PATH]
Made with numpy 2.4.6 and imageio-ffmpeg's ffmpeg 7.0.2.
"""
import os
import wave

import numpy as np

from make_codec_files import ffmpeg, ffmpeg_exe, signal


def write_wav(path, q, rate, width):
    """Integer samples q (frames, channels) as a PCM WAV of width bytes a sample."""
    with wave.open(path, "wb") as w:
        w.setnchannels(q.shape[1])
        w.setsampwidth(width)
        w.setframerate(rate)
        if width == 2:
            w.writeframes(q.astype("<i2").tobytes())
        else:   # 24-bit: the three low bytes of each little-endian int32
            b = q.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3]
            w.writeframes(b.tobytes())


def main():
    exe = ffmpeg_exe()
    here = os.path.dirname(os.path.abspath(__file__))

    def src16(name, rate, seconds, channels, quiet=None, coarse=None):
        x = signal(rate, seconds, channels)
        if quiet is not None:              # a stretch of digital silence: CONSTANT subframes
            x[int(quiet[0] * rate):int(quiet[1] * rate)] = 0
        q = np.round(x * 32767).astype(np.int32)
        if coarse is not None:             # one channel on a coarse grid: wasted bits
            q[:, coarse] = (q[:, coarse] // 16) * 16
        path = os.path.join(here, name)
        write_wav(path, q, rate, 2)
        return path

    s44 = src16("flac-src-44k-stereo.wav", 44100, 0.25, 2)
    s8 = src16("flac-src-8k-mono.wav", 8000, 1.0, 1, quiet=(0.3, 0.6))
    s6 = src16("flac-src-48k-6ch.wav", 48000, 0.1, 6, coarse=3)
    x = signal(96000, 0.1, 2)
    q24 = np.round(x * 8388607).astype(np.int32)
    s24 = os.path.join(here, "flac-src-96k-24bit.wav")
    write_wav(s24, q24, 96000, 3)

    files = [
        ("ffmpeg-44k-indep.flac", s44, ["-ch_mode", "indep"]),
        ("ffmpeg-44k-left-side.flac", s44, ["-ch_mode", "left_side"]),
        ("ffmpeg-44k-right-side.flac", s44, ["-ch_mode", "right_side"]),
        ("ffmpeg-44k-mid-side.flac", s44, ["-ch_mode", "mid_side", "-compression_level", "8"]),
        ("ffmpeg-8k-mono-lpc32.flac", s8, ["-compression_level", "12", "-min_prediction_order", "24",
                                           "-max_prediction_order", "32"]),
        ("ffmpeg-8k-mono-fixed.flac", s8, ["-lpc_type", "fixed"]),
        ("ffmpeg-48k-6ch.flac", s6, []),
        ("ffmpeg-96k-24bit.flac", s24, ["-compression_level", "8"]),
    ]
    for name, src, enc in files:
        out = os.path.join(here, name)
        ffmpeg(exe, "-i", src, "-c:a", "flac", *enc, "-map_metadata", "-1", "-fflags", "+bitexact", out)
        print(name, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
