package dev.mtdtl.dsp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.jflac.FLACDecoder;
import org.jflac.frame.Frame;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FlacReader}, by hand since 2026-12-07, on ffmpeg's FLAC encodings ({@code codecs/make_flac_files.py}):
 * lossless, so each must decode to its source WAV exactly, and to what jflac-codec (the decoder before, a test-scope
 * reference now) decodes. The files hold what a real encoder writes: FIXED and LPC subframes up to order 32, Rice2
 * residuals, CONSTANT subframes, wasted bits, all four channel assignments, 24-bit samples, six channels.
 */
class FlacReaderTest {

    @TempDir
    Path dir;

    /** jflac's decode, as FlacReader did it before 2026-12-07 (16- and 24-bit only). */
    static Audio viaJflac(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            FLACDecoder d = new FLACDecoder(in);
            d.readMetadata();
            StreamInfo si = d.getStreamInfo();
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            ByteData buf = null;
            while (!d.isEOF()) {
                Frame f = d.readNextFrame();
                if (f == null) {
                    break;
                }
                buf = d.decodeFrame(f, buf);
                bo.write(buf.getData(), 0, buf.getLen());
            }
            byte[] pcm = bo.toByteArray();
            int ch = si.getChannels();
            int bytes = si.getBitsPerSample() / 8;
            int frames = pcm.length / (ch * bytes);
            float[] out = new float[ch * frames];
            for (int i = 0; i < frames; i++) {
                for (int c = 0; c < ch; c++) {
                    int p = (i * ch + c) * bytes;
                    out[c * frames + i] = bytes == 2 ? (short) ((pcm[p] & 0xFF) | pcm[p + 1] << 8) / 32768f
                            : ((pcm[p] & 0xFF) | (pcm[p + 1] & 0xFF) << 8 | pcm[p + 2] << 16) / 8388608f;
                }
            }
            return new Audio(out, ch, frames, si.getSampleRate());
        }
    }

    @ParameterizedTest
    @CsvSource({"ffmpeg-44k-indep.flac, flac-src-44k-stereo.wav",
        "ffmpeg-44k-left-side.flac, flac-src-44k-stereo.wav",
        "ffmpeg-44k-right-side.flac, flac-src-44k-stereo.wav",
        "ffmpeg-44k-mid-side.flac, flac-src-44k-stereo.wav",
        "ffmpeg-8k-mono-lpc32.flac, flac-src-8k-mono.wav",
        "ffmpeg-8k-mono-fixed.flac, flac-src-8k-mono.wav",
        "ffmpeg-48k-6ch.flac, flac-src-48k-6ch.wav",
        "ffmpeg-96k-24bit.flac, flac-src-96k-24bit.wav"})
    void decodesToItsSourceAndAsJflacDid(String flac, String wav) throws IOException {
        Path f = CodecFilesTest.resource(flac);
        Audio got = AudioDecoder.decode(f);
        Audio src = WavReader.read(CodecFilesTest.resource(wav));
        assertEquals(src.channels(), got.channels(), flac);
        assertEquals(src.sampleRate(), got.sampleRate(), flac);
        assertEquals(src.frames(), got.frames(), flac);
        assertArrayEquals(src.samples(), got.samples(), flac + ": lossless");
        Audio old = viaJflac(f);
        assertEquals(old.frames(), got.frames(), flac);
        assertArrayEquals(old.samples(), got.samples(), flac + ": jflac's bits");
    }

    /** FlacBytes' VERBATIM streams at the depths jflac refused (8, 12, 20 bits) and at 16: v / 2^(bits-1). */
    @Test
    void everyDepthScalesAsWavDoes() throws IOException {
        for (int bits : new int[]{8, 12, 16, 20, 24}) {
            int n = 3000;
            int[] q = new int[2 * n];
            Random r = new Random(bits);
            int lim = 1 << (bits - 1);
            for (int i = 0; i < q.length; i++) {
                q[i] = i % 97 == 0 ? (i % 2 == 0 ? lim - 1 : -lim) : r.nextInt(2 * lim) - lim;
            }
            Path p = dir.resolve("d" + bits + ".flac");
            Files.write(p, FlacBytes.encode(q, 2, 22050, bits, 1024));
            Audio a = AudioDecoder.decode(p);
            assertEquals(n, a.frames());
            for (int i = 0; i < q.length; i++) {
                assertEquals((float) q[i] / lim, a.samples()[i], 0f, bits + "-bit sample " + i);
            }
        }
    }

    /**
     * The subframe kinds an encoder may write that ffmpeg's files above do not all hold: FIXED orders 0-4, Rice and
     * escaped residual partitions, wasted bits, CONSTANT blocks (FlacBytes writes them), at 16 and 24 bits.
     */
    @Test
    void everySubframeKindDecodesExactly() throws IOException {
        int n = 5000;
        for (int bits : new int[]{16, 24}) {
            for (boolean wasted : new boolean[]{false, true}) {
                int[] q = new int[2 * n];
                Random r = new Random(bits * 10 + (wasted ? 1 : 0));
                int lim = 1 << (bits - 1);
                long walk = 0;
                for (int i = 0; i < q.length; i++) {
                    walk = Math.max(-lim / 2, Math.min(lim / 2, walk + r.nextInt(lim >> 6) - (lim >> 7)));
                    int v = (i / 1024) % 3 == 1 ? 1234 : (int) walk;   // every third block of channel 0: CONSTANT
                    q[i] = wasted ? v & ~7 : v;
                }
                for (int order = 0; order <= 4; order++) {
                    for (boolean escape : new boolean[]{false, true}) {
                        Path p = dir.resolve("k.flac");
                        Files.write(p, FlacBytes.encode(q, 2, 22050, bits, 1024, order, escape, wasted));
                        Audio a = AudioDecoder.decode(p);
                        String what = bits + "-bit, order " + order + (escape ? ", escaped" : "")
                                + (wasted ? ", wasted bits" : "");
                        assertEquals(n, a.frames(), what);
                        for (int i = 0; i < q.length; i++) {
                            assertEquals((float) q[i] / lim, a.samples()[i], 0f, what + ", sample " + i);
                        }
                    }
                }
            }
        }
    }

    /** The table-driven checksums (CRC-16 by slices of 8 bytes) against the polynomials bit by bit. */
    @Test
    void checksumsMatchABitwiseReference() {
        Random r = new Random(8005);
        for (int len = 0; len < 80; len++) {
            byte[] b = new byte[len + 3];
            r.nextBytes(b);
            int c8 = 0;
            int c16 = 0;
            for (int i = 1; i < len + 1; i++) {
                for (int k = 7; k >= 0; k--) {
                    int bit = b[i] >> k & 1;
                    int top8 = (c8 >> 7 & 1) ^ bit;
                    c8 = (c8 << 1 & 0xFF) ^ (top8 == 1 ? 0x07 : 0);
                    int top16 = (c16 >> 15 & 1) ^ bit;
                    c16 = (c16 << 1 & 0xFFFF) ^ (top16 == 1 ? 0x8005 : 0);
                }
            }
            assertEquals(c8, FlacBits.crc8(b, 1, len + 1), "CRC-8 of " + len + " bytes");
            assertEquals(c16, FlacBits.crc16(b, 1, len + 1), "CRC-16 of " + len + " bytes");
        }
    }

    /**
     * STREAMINFO's sample count written too small (an encoder that wrote it before the stream ended, or damage):
     * the frames after it are still audio, as jflac decoded them; too large: "truncated".
     */
    @Test
    void aWrongSampleCountDoesNotCutTheAudio() throws IOException {
        Path f = CodecFilesTest.resource("ffmpeg-44k-mid-side.flac");
        byte[] b = Files.readAllBytes(f);
        Audio whole = AudioDecoder.decode(f);
        for (long count : new long[]{1000, whole.frames() + 5000L}) {
            byte[] m = b.clone();
            // the count's low 32 bits: STREAMINFO body bytes 14-17 (after 10 bytes of sizes, 20 + 3 + 5 bits and
            // its own top 4 bits), body at byte 8
            for (int i = 0; i < 4; i++) {
                m[22 + i] = (byte) (count >>> (24 - 8 * i));
            }
            Path p = dir.resolve("count" + count + ".flac");
            Files.write(p, m);
            if (count < whole.frames()) {
                assertArrayEquals(whole.samples(), AudioDecoder.decode(p).samples());
            } else {
                AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(p));
                assertTrue(e.reason().startsWith("truncated data: STREAMINFO announces " + count), e.reason());
            }
        }
    }

    /**
     * A metadata block after STREAMINFO damaged (its length too long, or the "last block" bit cleared, as taggers
     * have left them): the frames are found by their sync codes and CRCs and decode whole, as jflac decoded them
     * (the first version of this reader refused them: "the FLAC metadata ends early").
     */
    @Test
    void damagedMetadataAfterStreaminfoHidesNoAudio() throws IOException {
        Path f = CodecFilesTest.resource("ffmpeg-44k-indep.flac");
        byte[] b = Files.readAllBytes(f);
        Audio whole = AudioDecoder.decode(f);
        assertEquals(0, b[4] & 0x80, "STREAMINFO is not the last block: a second one follows at byte 42");
        int second = 4 + 4 + 34;
        for (int k = 0; k < 3; k++) {
            byte[] m = b.clone();
            switch (k) {
                case 0 -> m[second + 1] = (byte) 0x7F;            // its length past the end of the file
                case 1 -> m[second] &= 0x7F;                      // "last" cleared: the frames read as metadata
                default -> m[second + 3] ^= 0x10;                 // its length 16 bytes off: lands inside a block
            }
            Path p = dir.resolve("meta" + k + ".flac");
            Files.write(p, m);
            assertArrayEquals(whole.samples(), AudioDecoder.decode(p).samples(), "damage " + k);
        }
    }

    /** An ID3v1 tag after the last frame (taggers append them) is not audio. */
    @Test
    void id3v1TagAtTheEndIsSkipped() throws IOException {
        Path f = CodecFilesTest.resource("ffmpeg-8k-mono-fixed.flac");
        byte[] b = Files.readAllBytes(f);
        byte[] tag = new byte[128];
        tag[0] = 'T';
        tag[1] = 'A';
        tag[2] = 'G';
        byte[] t = Arrays.copyOf(b, b.length + 128);
        System.arraycopy(tag, 0, t, b.length, 128);
        Path p = dir.resolve("tagged.flac");
        Files.write(p, t);
        assertArrayEquals(AudioDecoder.decode(f).samples(), AudioDecoder.decode(p).samples());
    }
}
