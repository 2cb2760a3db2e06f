#!/usr/bin/env python3
"""Makes the real MP3 and Ogg Vorbis files of CodecFilesTest, and their reference decodes.

Why: mp3spi/jlayer and vorbisspi/jorbis were only ever tested on hand-made frames of silence and on random
bytes (no encoder on the build machines), and `mtdtl` decoded no real MP3 or Ogg file at all until 2026-12-07.
These files come from the encoders real collections come from (LAME through ffmpeg, libvorbis through
ffmpeg), with the headers those write (ID3v2.4 tag, LAME "Info" frame; Vorbis comment), and the references
are ffmpeg's own decodes of the same files, 16-bit PCM WAV.

Run (numpy, and an ffmpeg with libmp3lame and libvorbis; the pip wheel imageio-ffmpeg ships one):
    python3 make_codec_files.py [--ffmpeg PATH]
Made with numpy 2.4.6 and imageio-ffmpeg's ffmpeg 7.0.2 (LAME 3.100, libvorbis 1.3.7).
"""
import argparse
import os
import subprocess
import tempfile
import wave

import numpy as np


def signal(rate, seconds, channels):
    """A chord with a vibrato and an envelope, and low pink-ish noise: content in every band a codec codes."""
    t = np.arange(int(rate * seconds)) / rate
    rng = np.random.default_rng(20261207)
    chans = []
    for c in range(channels):
        x = np.zeros_like(t)
        for k, f in enumerate((220.0, 277.2, 329.6, 440.0 * (1 + c * 0.01))):
            x += 0.15 / (k + 1) * np.sin(2 * np.pi * f * t + 0.5 * np.sin(2 * np.pi * 5 * t))
        noise = np.cumsum(rng.standard_normal(t.size)) * 0.002
        noise -= np.convolve(noise, np.ones(64) / 64, mode="same")
        env = 0.5 + 0.5 * np.sin(2 * np.pi * 1.5 * t) ** 2
        chans.append(env * x + noise)
    return np.clip(np.stack(chans, axis=1), -1, 1)


def write_wav(path, x, rate):
    q = np.round(x * 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(x.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(q.tobytes())


def ffmpeg(exe, *args):
    subprocess.run([exe, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def ffmpeg_exe():
    """The ffmpeg of --ffmpeg PATH, else the imageio-ffmpeg wheel's."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--ffmpeg", default=None)
    exe = ap.parse_args().ffmpeg
    if exe is None:
        import imageio_ffmpeg
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


def main():
    exe = ffmpeg_exe()
    here = os.path.dirname(os.path.abspath(__file__))
    # name, rate, seconds, channels, encoder arguments
    files = [
        ("lame-44k-stereo.mp3", 44100, 0.5, 2, ["-c:a", "libmp3lame", "-b:a", "128k"]),
        ("lame-22k-mono.mp3", 22050, 0.5, 1, ["-c:a", "libmp3lame", "-q:a", "4"]),
        ("vorbis-44k-stereo.ogg", 44100, 0.5, 2, ["-c:a", "libvorbis", "-q:a", "4"]),
        # low rate, low quality: vorbisspi's stream lost this file's last 0.9 s (OggReaderTest)
        ("vorbis-8k-mono.ogg", 8000, 3.0, 1, ["-c:a", "libvorbis", "-q:a", "0"]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, rate, seconds, channels, enc in files:
            src = os.path.join(tmp, name + ".wav")
            write_wav(src, signal(rate, seconds, channels), rate)
            out = os.path.join(here, name)
            ffmpeg(exe, "-i", src, *enc, "-map_metadata", "-1", "-fflags", "+bitexact", out)
            # ffmpeg's decode of the file just written: for MP3 it drops the LAME Info frame and the encoder and
            # decoder delay (1,152 + 576 + 529 samples), which jlayer keeps (decision 2: trim nothing)
            ffmpeg(exe, "-i", out, "-c:a", "pcm_s16le", "-fflags", "+bitexact", "-map_metadata", "-1",
                   os.path.join(here, name + ".ref.wav"))
            print(name, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
