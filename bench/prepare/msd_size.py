#!/usr/bin/env python3
"""Input files of the Million Song Dataset's sizes, for timing `mtdtl import msd` and `mtdtl prepare` at the
paper's scale (bench/RESULTS.md, "Session 46" and "Session 47"). Not the MSD: made-up ids, play counts, tags and
tempi, drawn from a seed, with the real files' formats and their counts:

  unique_tracks.txt    1,000,000 tracks (tid<SEP>song_id<SEP>artist<SEP>title), 44,745 artists
  train_triplets.txt   48,373,586 Taste Profile triplets (user TAB song_id TAB plays), 1,019,318 users over the
                       first 384,546 songs, song popularity Zipf-like (exponent 0.9), plays geometric (mean 3)
  tags.tsv             8,598,630 Last.fm-style triplets (tid TAB tag TAB count 0-100) on 505,216 tracks,
                       522,366 tags, tag popularity Zipf-like
  tracks_per_year.txt  515,576 years (year<SEP>tid<SEP>artist<SEP>title)
  bpm.tsv              1,000,000 tempi (tid TAB bpm)
  audio/               --previews clips (default 1,000): WAV files named by the first tracks' ids, copied from
                       --clips (a folder of audio files, cycled) or, without it, --seconds (default 4; the MSD's
                       previews are 30) of a tone and noise each

--scale multiplies every count (0.01 for a quick try). Needs numpy. Prints the import and prepare commands.
Usage: python3 bench/prepare/msd_size.py --out /tmp/big [--scale 1] [--seed 1] [--clips DIR] [--previews 1000]
       [--seconds 4]
"""
import argparse
import math
import os
import shutil
import sys
import wave

import numpy as np

TRACKS, ARTISTS = 1_000_000, 44_745
TASTE, USERS, SONGS = 48_373_586, 1_019_318, 384_546
TAGS, TAGGED, TAG_NAMES = 8_598_630, 505_216, 522_366
YEARS, BPMS = 515_576, 1_000_000
CHUNK = 1_000_000


def zipf_indices(rng, n, size, exponent):
    """size draws from 0..n-1 with P(i) proportional to (i + 1)^-exponent."""
    w = 1.0 / np.power(np.arange(1, n + 1, dtype=np.float64), exponent)
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(size)), n - 1)


def write_lines(path, count, line_of):
    """Write count lines, line_of(lo, hi) giving those of [lo, hi) as a list of strings, through a temp file."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for lo in range(0, count, CHUNK):
            hi = min(count, lo + CHUNK)
            f.write("\n".join(line_of(lo, hi)))
            f.write("\n")
    os.replace(tmp, path)
    print(f"{path}: {count:,} lines", flush=True)


def distinct_pairs(rng, cols, cols_of, count, row_count):
    """count (row, col) pairs without repeats, sorted by row: draw, drop repeats, draw again for the shortfall
    (popular columns repeat within a row), then keep count of them at random."""
    key = np.empty(0, dtype=np.int64)
    for _ in range(30):
        need = count - key.size
        if need <= 0:
            break
        n = int(need * 1.1) + 16
        r = rng.integers(0, row_count, n).astype(np.int64)
        key = np.unique(np.concatenate([key, r * cols + cols_of(n)]))
    if key.size < count:
        sys.exit(f"only {key.size:,} distinct pairs for {count:,}: too few columns at this scale")
    key = key[np.sort(rng.choice(key.size, count, replace=False))]
    return key // cols, key % cols


def tone(path, seconds, seed, rate=44100):
    """A stereo 16-bit WAV at 44.1 kHz (as the MSD's previews decode): a tone whose pitch depends on the seed, a fifth
    above it in the right channel, plus a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = 110.0 * 2 ** (rng.integers(0, 36) / 12)
    left = 0.4 * np.sin(2 * math.pi * f0 * t) + 0.05 * rng.standard_normal(t.size)
    right = 0.4 * np.sin(2 * math.pi * 1.5 * f0 * t) + 0.05 * rng.standard_normal(t.size)
    x = np.stack([left, right], axis=1)
    with wave.open(path, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--previews", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=4.0, help="length of a generated preview")
    ap.add_argument("--clips", help="folder of audio files to copy as previews (default: generated tones)")
    a = ap.parse_args()
    s = lambda n: max(1, int(round(n * a.scale)))
    tracks, artists, users, songs = s(TRACKS), s(ARTISTS), s(USERS), min(s(SONGS), s(TRACKS))
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    tid = lambda i: f"TR{i:016X}"
    sid = lambda i: f"SO{i:016X}"

    # Track i is song i, except that every 997th track shares the song of the one before (the MSD maps about
    # 1,000,000 tracks to 999,056 songs): the song map then has lists of two.
    song_of = np.arange(tracks)
    song_of[997::997] -= 1
    artist_of = zipf_indices(rng, artists, tracks, 0.6)
    write_lines(os.path.join(a.out, "unique_tracks.txt"), tracks, lambda lo, hi: [
        f"{tid(i)}<SEP>{sid(song_of[i])}<SEP>artist {artist_of[i]}<SEP>title {i}" for i in range(lo, hi)])

    u, song = distinct_pairs(rng, songs, lambda n: zipf_indices(rng, songs, n, 0.9), s(TASTE), users)
    plays = rng.geometric(1 / 3, u.size)
    # 40 hex digits like the Taste Profile's user ids; times an odd number modulo 2^160 is one to one.
    user_ids = [f"{(i * 0x9E3779B97F4A7C15F39CC0605CEDC8341082276B) % (1 << 160):040x}" for i in range(users)]
    write_lines(os.path.join(a.out, "train_triplets.txt"), u.size, lambda lo, hi: [
        f"{user_ids[u[i]]}\t{sid(song[i])}\t{plays[i]}" for i in range(lo, hi)])
    del u, song, plays, user_ids

    tagged = s(TAGGED)
    names = s(TAG_NAMES)
    t, tag = distinct_pairs(rng, names, lambda n: zipf_indices(rng, names, n, 1.0), s(TAGS), tagged)
    count = rng.integers(0, 101, t.size)
    write_lines(os.path.join(a.out, "tags.tsv"), t.size, lambda lo, hi: [
        f"{tid(t[i])}\ttag {tag[i]}\t{count[i]}" for i in range(lo, hi)])
    del t, tag, count

    ys = np.sort(rng.choice(tracks, s(YEARS), replace=False))
    year = np.clip(np.round(rng.normal(1998, 10, ys.size)), 1922, 2011).astype(int)
    write_lines(os.path.join(a.out, "tracks_per_year.txt"), ys.size, lambda lo, hi: [
        f"{year[i]}<SEP>{tid(ys[i])}<SEP>artist {artist_of[ys[i]]}<SEP>title {ys[i]}" for i in range(lo, hi)])

    bpm = np.round(rng.lognormal(math.log(120), 0.2, min(s(BPMS), tracks)), 3)
    write_lines(os.path.join(a.out, "bpm.tsv"), bpm.size, lambda lo, hi: [
        f"{tid(i)}\t{bpm[i]}" for i in range(lo, hi)])

    audio = os.path.join(a.out, "audio")
    os.makedirs(audio, exist_ok=True)
    clips = []
    if a.clips:
        for root, _, files in os.walk(a.clips):
            clips += sorted(os.path.join(root, f) for f in files if f.lower().endswith((".wav", ".mp3", ".flac", ".ogg")))
        clips.sort()
        if not clips:
            sys.exit(f"{a.clips}: no audio files")
    for i in range(min(a.previews, tracks)):
        if clips:
            src = clips[i % len(clips)]
            shutil.copyfile(src, os.path.join(audio, tid(i) + os.path.splitext(src)[1].lower()))
        else:
            tone(os.path.join(audio, tid(i) + ".wav"), a.seconds, a.seed * 1_000_003 + i)
    print(f"{audio}: {min(a.previews, tracks):,} previews", flush=True)
    o = a.out
    print(f"\n./mtdtl import msd --corpus {o}/corpus --audio {o}/audio --unique-tracks {o}/unique_tracks.txt "
          f"--taste {o}/train_triplets.txt --tags {o}/tags.tsv --years {o}/tracks_per_year.txt --bpm {o}/bpm.tsv")
    print(f"./mtdtl prepare --corpus {o}/corpus ...   (./mtdtl prepare --help)")


if __name__ == "__main__":
    main()
