package dev.mtdtl.dsp;

import dev.mtdtl.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The streamed dB-mel is the whole-file dB-mel, bit for bit, whatever the windows it is read in, whether the first
 * pass is kept (files of at most {@link DbMelStream#KEEP_FRAMES} frames) or each window is computed again.
 */
class DbMelStreamTest {

    @TempDir
    Path tmp;

    private Path wav(String name, int channels, int rate, int frames, WavWriter.Encoding enc) throws IOException {
        Rng r = new Rng(channels * 31L + rate);
        float[] s = new float[channels * frames];
        for (int i = 0; i < frames; i++) {
            double tone = 0.3 * Math.sin(2 * Math.PI * 330 * i / rate) * (1 + Math.sin(i * 1e-4));
            for (int c = 0; c < channels; c++) {
                s[c * frames + i] = (float) (tone / (c + 1) + 0.05 * r.nextGaussian());
            }
        }
        Path p = tmp.resolve(name);
        WavWriter.write(p, new Audio(s, channels, frames, rate), enc);
        return p;
    }

    /** {@code copies} of a codec test file end to end: a longer MP3, or a chained Ogg file of that many links. */
    private Path joined(String name, int copies) throws IOException {
        byte[] one = java.nio.file.Files.readAllBytes(CodecFilesTest.resource(name));
        byte[] all = new byte[copies * one.length];
        for (int k = 0; k < copies; k++) {
            System.arraycopy(one, 0, all, k * one.length, one.length);
        }
        Path f = tmp.resolve(copies + "x-" + name);
        java.nio.file.Files.write(f, all);
        return f;
    }

    /** A stereo 44.1 kHz 16-bit FLAC of n frames (a tone and noise from {@code seed}) in blocks of {@code block}. */
    private Path flac(String name, int n, int block, long seed) throws IOException {
        int[] q = new int[2 * n];
        Rng r = new Rng(seed);
        for (int i = 0; i < q.length; i++) {
            q[i] = (int) (9000 * Math.sin(i * 0.003) + 500 * r.nextGaussian());
        }
        Path f = tmp.resolve(name);
        java.nio.file.Files.write(f, FlacBytes.encode(q, 2, 44100, 16, block));
        return f;
    }

    private static void check(Path file, int... cuts) throws IOException {
        checkKeeping(file, DbMelStream.KEEP_FRAMES, cuts);
        checkKeeping(file, 0, cuts);   // every window computed again from the file
    }

    private static void checkKeeping(Path file, int keepFrames, int... cuts) throws IOException {
        MelConfig cfg = MelConfig.paper();
        Features.Mel whole = Features.dbMel(file, cfg);
        try (DbMelStream s = DbMelStream.open(file, cfg, keepFrames, keepFrames == 0 ? 0 : Long.MAX_VALUE)) {
            int t = s.frames();
            assertEquals(whole.frames(), t, file + ": frames");
            int m = cfg.nMels();
            float[] got = new float[2 * t * m];
            int prev = 0;
            for (int k = 0; k <= cuts.length; k++) {
                int next = k < cuts.length ? Math.min(t, cuts[k]) : t;
                if (next <= prev) {
                    continue;
                }
                float[] part = new float[2 * (next - prev) * m];
                s.read(prev, next, part);
                for (int c = 0; c < 2; c++) {
                    System.arraycopy(part, c * (next - prev) * m, got, (c * t + prev) * m, (next - prev) * m);
                }
                prev = next;
            }
            assertArrayEquals(whole.data(), got, 0f, file + " keeping files up to " + keepFrames + " frames");
        }
    }

    @Test
    void stereoFloatAt44100ResampledInUnevenWindows() throws IOException {
        check(wav("a.wav", 2, 44100, 44100 * 3 + 123, WavWriter.Encoding.FLOAT32), 1, 2, 3, 250, 251, 500, 601);
    }

    @Test
    void mono16BitAtTheModelRate() throws IOException {
        check(wav("b.wav", 1, 22050, 22050 * 3 + 7, WavWriter.Encoding.PCM16), 100, 216, 300);
    }

    @Test
    void filesShorterThanOneFftAnd48k() throws IOException {
        check(wav("c.wav", 2, 22050, 700, WavWriter.Encoding.PCM16));
        check(wav("d.wav", 2, 48000, 48000 * 3 + 1, WavWriter.Encoding.FLOAT32), 40, 41, 200);
    }

    @Test
    void aFileLongerThanTheKeptLengthIsComputedWindowByWindow() throws IOException {
        // 48 s at 22.05 kHz: 4,135 frames, past KEEP_FRAMES, so the default open reads it twice (its first pass in
        // two windows: 4,096 frames, then 39)
        Path p = wav("e.wav", 1, 22050, 22050 * 48, WavWriter.Encoding.PCM16);
        checkKeeping(p, DbMelStream.KEEP_FRAMES, 216, 1000, 4095, 4096);
        checkKeeping(p, 8192, 216, 1000, 4095, 4096);
    }

    /**
     * More than two channels (a 6-channel WAV: its first two are used, as a whole decode's toStereo keeps them) and AIFF
     * (big-endian 24-bit PCM and AIFF-C float, read where they lie): the whole decode's dB-mel.
     */
    @Test
    void sixChannelWavAndAiffFiles() throws IOException {
        check(wav("six.wav", 6, 48000, 48000 * 4 + 5, WavWriter.Encoding.PCM16), 5, 216, 217);
        int n = 44100 * 3 + 11;
        Rng r = new Rng(12);
        for (String kind : new String[] {"NONE", "fl32"}) {
            boolean f = kind.equals("fl32");
            java.nio.ByteBuffer d = java.nio.ByteBuffer.allocate(n * 2 * (f ? 4 : 3));   // big-endian, interleaved
            for (int i = 0; i < 2 * n; i++) {
                double x = 0.4 * Math.sin(i * 0.013) + 0.05 * r.nextGaussian();
                if (f) {
                    d.putFloat((float) x);
                } else {
                    int q = (int) Math.round(x * (1 << 23));
                    d.put((byte) (q >> 16)).put((byte) (q >> 8)).put((byte) q);
                }
            }
            Path p = tmp.resolve(kind + ".aif");
            java.nio.file.Files.write(p, aiff(f, n, f ? 32 : 24, d.array()));
            check(p, 100, 216, 300);
        }
    }

    /** An AIFF (PCM) or AIFF-C (fl32) file of 2 channels at 44.1 kHz: COMM, then SSND with the frames. */
    private static byte[] aiff(boolean aifc, int frames, int bits, byte[] data) {
        int commLen = aifc ? 24 : 18;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + 8 + commLen + 16 + data.length);
        b.put("FORM".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).putInt(b.capacity() - 8)
                .put((aifc ? "AIFC" : "AIFF").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        b.put("COMM".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).putInt(commLen).putShort((short) 2)
                .putInt(frames).putShort((short) bits);
        b.putShort((short) (16383 + 15)).putLong(44100L << 48);   // 80-bit extended: 44100 x 2^48 x 2^(15 - 63)
        if (aifc) {
            b.put("fl32".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).put((byte) 0).put((byte) 0);
        }
        b.put("SSND".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).putInt(8 + data.length).putInt(0)
                .putInt(0).put(data);
        return b.array();
    }

    /**
     * A folder run streams one file a thread while each has 384 MB of heap: in the tests' 3 GB heap, 1 at 1 thread, 4 at
     * 4, and at 12 only as many as 384 MB parts of the heap (7 or so); and only files decoded forward, by extension.
     */
    @Test
    void filesAtOnceFollowTheThreadsAndTheHeap() {
        long heap = Runtime.getRuntime().maxMemory();
        org.junit.jupiter.api.Assumptions.assumeTrue(heap >= 2700L << 20 && heap < 3072L << 20,
                "the tests' -Xmx3g heap (" + (heap >> 20) + " MB here)");
        int before = dev.mtdtl.tensor.Parallel.threads();
        try {
            int[][] want = {{1, 1}, {4, 4}, {12, (int) (heap / (384L << 20))}};
            for (int[] w : want) {
                dev.mtdtl.tensor.Parallel.setThreads(w[0]);
                assertEquals(w[1], DbMelStream.filesAtOnce(), w[0] + " threads");
            }
            // only a run of files decoded forward goes together; a WAV or AIFF file runs alone
            dev.mtdtl.tensor.Parallel.setThreads(4);
            java.util.List<Path> files = java.util.List.of(Path.of("a.mp3"), Path.of("b.FLAC"), Path.of("c.ogg"),
                    Path.of("d.oga"), Path.of("e.mp3"), Path.of("f.wav"), Path.of("g.aiff"), Path.of("h.mp3"));
            int[] from = {0, 4, 5, 6, 7};
            int[] n = {4, 1, 1, 1, 1};
            for (int k = 0; k < from.length; k++) {
                assertEquals(n[k], DbMelStream.together(files, from[k]), "from " + files.get(from[k]));
            }
            dev.mtdtl.tensor.Parallel.setThreads(1);
            assertEquals(1, DbMelStream.together(files, 0));
        } finally {
            dev.mtdtl.tensor.Parallel.setThreads(before);
        }
    }

    /**
     * {@code mtdtl mfcc} streams ({@link Features#mfcc}): the 120 values of the whole path (whole dB-mel, then
     * {@link MfccBaseline#compute}), bit for bit, for a file of several of its 4,096-frame steps, a compressed one and
     * a file just long enough for the deltas; one too short is refused naming the file.
     */
    @Test
    void mfccOfStreamedFilesIsTheWholePaths() throws IOException {
        MelConfig cfg = MelConfig.paper();
        for (Path p : new Path[] {wav("m.wav", 2, 22050, 22050 * 100 + 3, WavWriter.Encoding.PCM16),
            joined("lame-44k-stereo.mp3", 20),
            wav("three.wav", 1, 22050, 512, WavWriter.Encoding.FLOAT32)}) {
            Features.Mel whole = Features.dbMel(p, cfg);
            float[] want = MfccBaseline.compute(whole.data(), 2, whole.frames(), new Mfcc(cfg.nMels(), 20),
                    MfccBaseline.DeltaKind.DIFF, MfccBaseline.Order.PER_FEATURE);
            assertArrayEquals(want, Features.mfcc(p, cfg), 0f, p.toString());
        }
        Path two = wav("two.wav", 1, 22050, 511, WavWriter.Encoding.PCM16);
        AudioDecodeException e = org.junit.jupiter.api.Assertions.assertThrows(AudioDecodeException.class,
                () -> Features.mfcc(two, cfg));
        assertEquals(two + ": too short for MFCC deltas: 2 frames (3 needed)", e.getMessage());
    }

    /** FLAC is decoded forward from a window of its bytes: the same bits as the whole decode's dB-mel. */
    @Test
    void flacDecodedByWindow() throws IOException {
        check(CodecFilesTest.resource("ffmpeg-48k-6ch.flac"), 9, 60);
        check(CodecFilesTest.resource("ffmpeg-8k-mono-lpc32.flac"), 33);
        check(flac("long.flac", 127 * 4096, 4096, 5), 216, 700, 701);   // 2 MB of FLAC: the window refilled
    }

    /** MP3 and Ogg Vorbis are decoded forward by window: the same bits as the whole decode's dB-mel. */
    @Test
    void mp3AndOggDecodedByWindow() throws IOException {
        for (String name : new String[] {"lame-44k-stereo.mp3", "lame-22k-mono.mp3", "vorbis-44k-stereo.ogg",
            "vorbis-8k-mono.ogg"}) {
            check(joined(name, 3), 7, 100, 101, 216, 433);   // three MP3s in a row, or a chained Ogg of three links
        }
    }

    /**
     * A compressed file's length is learnt by the maximum's pass: its parts are computed while the decoder has not yet
     * reached the end, with as much of the file as has been decoded, and must be the whole file's values. Files of
     * 50-65 s (more than one first-pass window of 4,096 frames), resampled (44.1 kHz) and not (22.05 kHz), their first
     * pass kept in one window's worth, in two, or not at all (each read then decoded again); reads across the windows.
     */
    @Test
    void longCompressedFilesLearnTheirLengthInTheMaximumPass() throws IOException {
        int[] cuts = {216, 1023, 1025, 4000, 4200, 4500, 5000};
        for (Path p : new Path[] {joined("lame-44k-stereo.mp3", 130), joined("vorbis-44k-stereo.ogg", 100),
            joined("lame-22k-mono.mp3", 60)}) {
            for (int keep : new int[] {0, DbMelStream.KEEP_FRAMES, 8192}) {
                checkKeeping(p, keep, cuts);
            }
        }
        // 70 s, its last frame short; 95 frames of 32,768 (the test encoder numbers fewer than 128)
        Path f = flac("70s.flac", 44100 * 70 + 333, 32768, 9);
        checkKeeping(f, 0, cuts);
        checkKeeping(f, 8192, cuts);
    }

    /**
     * {@code mtdtl mel}'s output of a streamed file (written as it is computed, channel 1 through a temporary beside it)
     * holds the whole decode's dB-mel, for the paper's settings and the command's others (constant padding, HTK
     * scale), over more than one write step; nothing is left beside it.
     */
    @Test
    void melFilesOfStreamedInputAreTheWholeDecodes() throws IOException {
        Path in = wav("long.wav", 2, 44100, 44100 * 100 + 77, WavWriter.Encoding.PCM16);   // 8,614 frames: 3 steps
        for (MelConfig cfg : new MelConfig[] {MelConfig.paper(), MelConfig.paper().withPadMode(Stft.PadMode.CONSTANT),
            MelConfig.paper().withScale(MelFilterbank.Scale.HTK)}) {
            Path dir = java.nio.file.Files.createTempDirectory(tmp, "mel");
            Path out = dir.resolve("long.npy");
            int[] shape = Features.melToNpy(in, out, cfg);
            Features.Mel whole = Features.dbMel(in, cfg);
            assertArrayEquals(whole.shape(), shape);
            dev.mtdtl.tensor.io.Npy.Array a = dev.mtdtl.tensor.io.Npy.read(out);
            assertArrayEquals(whole.shape(), a.shape());
            assertArrayEquals(whole.data(), a.toFloat(), 0f);
            try (var files = java.nio.file.Files.list(dir)) {
                assertEquals(java.util.List.of(out), files.toList(), "only the output");
            }
        }
    }
}
