package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BlockWindow} gives the whole-file decode's samples, bit for bit, in whatever windows it is read (forward,
 * going back to the start and decoding again, across an Ogg chain's links where the decoder cuts each link's end),
 * learning the file's length from a forward pass; and its memory does not grow with the file.
 */
class BlockWindowTest {

    @TempDir
    Path dir;

    /** {@code copies} of a resource joined end to end: a longer MP3 (frames after frames) or a chained Ogg file. */
    private Path joined(String resource, int copies) throws IOException {
        byte[] one = Files.readAllBytes(CodecFilesTest.resource(resource));
        byte[] all = new byte[one.length * copies];
        for (int k = 0; k < copies; k++) {
            System.arraycopy(one, 0, all, k * one.length, one.length);
        }
        Path f = dir.resolve(copies + "x-" + resource);
        Files.write(f, all);
        return f;
    }

    /**
     * Reads of random lengths from 0 to the end, then reads going back (a second pass). With {@code countFirst} the
     * length is asked first (a pass of its own); without, the reads go forward before the length is known.
     */
    private static void check(Path file, boolean countFirst, long seed) throws IOException {
        Audio whole = AudioDecoder.decode(file).toStereo();
        try (AudioWindow w = AudioDecoder.window(file)) {
            assertTrue(w instanceof BlockWindow, file.toString());
            if (countFirst) {
                assertEquals(whole.frames(), w.frames(), file + ": frames");
            }
            assertEquals(whole.sampleRate(), w.sampleRate());
            int ch = w.channels();
            int n = whole.frames();
            Random r = new Random(seed);
            for (int from = 0; from < n; ) {
                int from0 = Math.max(0, from - r.nextInt(3000));   // windows overlap, as the resampler's margins do
                int count = Math.min(n - from0, 1 + r.nextInt(20_000));
                if (r.nextBoolean()) {
                    assertWindow(whole, w.read(from0, count), from0, count, ch, file);
                } else {   // the decoder's own buffer, no copy
                    AudioWindow.Span sp = w.span(from0, count);
                    float[] got = new float[ch * count];
                    for (int c = 0; c < ch; c++) {
                        System.arraycopy(sp.array(), sp.offset(c), got, c * count, count);
                    }
                    assertWindow(whole, got, from0, count, ch, file);
                }
                from = from0 + count;
            }
            assertEquals(n, w.frames(), file + ": frames after a forward pass");
            int back = n / 3;
            assertWindow(whole, w.read(back, n - back), back, n - back, ch, file);
            assertWindow(whole, w.read(0, Math.min(n, 5000)), 0, Math.min(n, 5000), ch, file);
        }
    }

    private static void assertWindow(Audio whole, float[] got, int from, int count, int ch, Path file) {
        float[] want = new float[ch * count];
        Audio src = ch == 1 ? whole.toMono() : whole;   // toStereo duplicated mono; the window reads one channel
        for (int c = 0; c < ch; c++) {
            System.arraycopy(src.samples(), c * src.frames() + from, want, c * count, count);
        }
        assertArrayEquals(want, got, file + ": frames [" + from + ", " + (from + count) + ")");
    }

    @Test
    void mp3FramesAsTheWholeDecode() throws IOException {
        Path stereo = joined("lame-44k-stereo.mp3", 6);
        check(stereo, true, 1);
        check(stereo, false, 2);
        Path mono = joined("lame-22k-mono.mp3", 4);
        check(mono, false, 3);
        check(CodecFilesTest.resource("lame-44k-stereo.mp3"), false, 4);
    }

    /** A chained Ogg file: each link cut at its end granule, the cut never seen by a read. */
    @Test
    void oggLinksAsTheWholeDecode() throws IOException {
        Path chain = joined("vorbis-44k-stereo.ogg", 5);
        assertEquals(5 * 22_050, AudioDecoder.decode(chain).frames());
        check(chain, true, 5);
        check(chain, false, 6);
        check(joined("vorbis-8k-mono.ogg", 3), false, 7);
    }

    /**
     * A link whose end cuts back into samples earlier pages gave: the last page of a 3 s libvorbis file split so that
     * its final packet is alone on the end-of-stream page, and that page's granule position 3,000 samples earlier (CRCs
     * made again). No read may see those samples before the end-of-stream page is decoded ({@link PcmBlocks#stable}).
     */
    @Test
    void noReadSeesSamplesALinksEndTakesBack() throws IOException {
        List<byte[]> pages = new ArrayList<>(OggPages.split(Files.readAllBytes(
                CodecFilesTest.resource("vorbis-8k-mono.ogg"))));
        byte[] last = pages.remove(pages.size() - 1);
        ByteBuffer h = ByteBuffer.wrap(last).order(ByteOrder.LITTLE_ENDIAN);
        long granule = h.getLong(6);
        int serial = h.getInt(14);
        int seq = h.getInt(18);
        List<byte[]> packets = OggPages.packets(last);
        pages.add(OggPages.page(0, granule - 3000, serial, seq, packets.subList(0, packets.size() - 1)));
        pages.add(OggPages.page(4, granule - 3000, serial, seq + 1, packets.subList(packets.size() - 1,
                packets.size())));
        byte[] link = OggPages.join(pages);
        Path chain = dir.resolve("early-ends.ogg");
        Files.write(chain, OggPages.join(List.of(link, link, link)));
        assertEquals(3 * 21_000, AudioDecoder.decode(chain).frames());
        for (long seed = 10; seed < 30; seed++) {
            check(chain, seed % 2 == 0, seed);
        }
    }

    @Test
    void memoryDoesNotGrowWithTheFile() throws IOException {
        Path longer = joined("lame-44k-stereo.mp3", 40);
        try (BlockWindow w = (BlockWindow) AudioDecoder.window(longer)) {
            int n = w.frames();
            long most = 0;
            for (int from = 0; from + 4096 <= n; from += 4096) {
                w.read(from, 4096);
                most = Math.max(most, heldFrames(w));
            }
            assertTrue(most < 4096 + 2 * 1152 + 4608, "held " + most + " frames for reads of 4,096");
        }
    }

    /**
     * A reader that goes forward ({@link AudioWindow#reach}, then reads) needs no counting pass: one decode learns the
     * length at the stream's end, and reads ask no more than the file holds; a read past the end is refused naming
     * the file; going back decodes again and finds the same length.
     */
    @Test
    void aForwardPassLearnsTheLength() throws IOException {
        Path longer = joined("lame-44k-stereo.mp3", 12);
        Audio whole = AudioDecoder.decode(longer).toStereo();
        int[] opens = {0};
        BlockWindow.Opener counting = (max, again) -> {
            opens[0]++;
            return Mp3Reader.Blocks.open(longer, 0, max, again);
        };
        try (BlockWindow w = BlockWindow.open(longer, counting)) {
            assertEquals(1, opens[0]);
            assertFalse(w.framesKnown());
            long from = 0;
            while (!w.framesKnown()) {
                long to = w.reach(from, from + 10_000);
                assertTrue(w.framesKnown() || to == from + 10_000, "reach stopped short at " + to);
                int count = (int) (to - from);
                if (count > 0) {
                    assertWindow(whole, w.read((int) from, count), (int) from, count, 2, longer);
                }
                from = to;
            }
            assertEquals(whole.frames(), w.frames());
            assertEquals(whole.frames(), from);
            assertEquals(1, opens[0], "one decode for a forward pass");
            IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                    () -> w.read(whole.frames() - 10, 11));
            assertTrue(past.getMessage().startsWith(longer.toString()), past.getMessage());
            assertWindow(whole, w.read(100, 5000), 100, 5000, 2, longer);
            assertEquals(2, opens[0], "going back decodes again");
        }
        // a read past the end before the length is known: refused once the decoder gets there
        try (BlockWindow w = BlockWindow.open(longer, counting)) {
            IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                    () -> w.read(whole.frames() - 10, 11));
            assertTrue(past.getMessage().contains("outside [0, " + whole.frames() + ")"), past.getMessage());
        }
    }

    private static long heldFrames(BlockWindow w) {
        try {
            java.lang.reflect.Field f = BlockWindow.class.getDeclaredField("blocks");
            f.setAccessible(true);
            PcmBuffer b = ((PcmBlocks) f.get(w)).buffer();
            return b.end() - b.base();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * FLAC through a window of the file's bytes: frames across the window's refills (2 MB of 4,096-sample frames),
     * frames larger than the window (65,535 samples of 8 channels at 24 bits, 1.57 MB each), metadata larger than it
     * (a 1.5 MB padding block) and damaged (that block marked last, or its length wrong: the frames are searched for, in
     * the whole file), and six channels of which the first two are read.
     */
    @Test
    void flacFramesAsTheWholeDecode() throws IOException {
        Random r = new Random(11);
        int n = 127 * 4096;
        int[] q = new int[2 * n];
        for (int i = 0; i < q.length; i++) {
            q[i] = (int) (8000 * Math.sin(i * 0.01)) + r.nextInt(2000) - 1000;
        }
        Path small = dir.resolve("frames.flac");
        Files.write(small, FlacBytes.encode(q, 2, 44100, 16, 4096));
        check(small, false, 21);
        check(small, true, 22);
        // two 10-byte padding blocks after STREAMINFO, the first marked last: the metadata ends at the second, which is
        // no frame, and the frames are searched for in the whole file
        byte[] s0 = Files.readAllBytes(small);
        byte[] twoPads = new byte[s0.length + 28];
        System.arraycopy(s0, 0, twoPads, 0, 42);
        twoPads[4] &= 0x7F;                            // STREAMINFO no longer the last block
        twoPads[42] = (byte) 0x81;                     // PADDING, last, 10 bytes
        twoPads[45] = 10;
        twoPads[56] = (byte) 0x81;                     // PADDING, last, 10 bytes
        twoPads[59] = 10;
        System.arraycopy(s0, 42, twoPads, 70, s0.length - 42);
        Path twoPadded = dir.resolve("two-pads.flac");
        Files.write(twoPadded, twoPads);
        check(twoPadded, false, 28);
        int[] big = new int[8 * 4 * 65535];
        for (int i = 0; i < big.length; i++) {
            big[i] = r.nextInt(1 << 24) - (1 << 23);
        }
        Path large = dir.resolve("large-frames.flac");
        Files.write(large, FlacBytes.encode(big, 8, 48000, 24, 65535));   // 1.57 MB frames
        check(large, false, 23);
        byte[] ff = Files.readAllBytes(CodecFilesTest.resource("ffmpeg-44k-mid-side.flac"));
        byte[] padded = new byte[ff.length + 4 + 1_500_000];
        System.arraycopy(ff, 0, padded, 0, 42);   // fLaC and STREAMINFO (not the last block in ffmpeg's files)
        padded[42] = 1;                           // a PADDING block, not the last, of 1,500,000 bytes
        padded[43] = (byte) (1_500_000 >> 16);
        padded[44] = (byte) (1_500_000 >> 8);
        padded[45] = (byte) 1_500_000;
        System.arraycopy(ff, 42, padded, 46 + 1_500_000, ff.length - 42);
        assertEquals(0, ff[4] & 0x80, "STREAMINFO is not the last block");
        Path pad = dir.resolve("padded.flac");
        Files.write(pad, padded);
        check(pad, false, 24);
        padded[42] |= (byte) 0x80;                // "last block" on the padding: the frames are found by search
        Path last = dir.resolve("last-padding.flac");
        Files.write(last, padded);
        check(last, false, 25);
        padded[42] &= 0x7F;
        padded[45] += 7;                          // the padding's length damaged: as above, whole
        Path damaged = dir.resolve("damaged-padding.flac");
        Files.write(damaged, padded);
        check(damaged, false, 27);
        check(CodecFilesTest.resource("ffmpeg-48k-6ch.flac"), false, 26);
    }

    /** AU is decoded whole (AIFF is read in place: AiffReaderTest); errors are the whole decode's, naming the file. */
    @Test
    void otherFormatsAreNotWindowedAndErrorsNameTheFile() throws IOException {
        Path au = dir.resolve("a.au");
        javax.sound.sampled.AudioFormat fmt = new javax.sound.sampled.AudioFormat(22050, 16, 1, true, true);
        try (javax.sound.sampled.AudioInputStream ais = new javax.sound.sampled.AudioInputStream(
                new java.io.ByteArrayInputStream(new byte[4000]), fmt, 2000)) {
            javax.sound.sampled.AudioSystem.write(ais, javax.sound.sampled.AudioFileFormat.Type.AU, au.toFile());
        }
        assertEquals(2000, AudioDecoder.decode(au).frames());
        assertNull(AudioDecoder.window(au));
        Path cut = dir.resolve("cut.mp3");
        byte[] b = Files.readAllBytes(CodecFilesTest.resource("lame-44k-stereo.mp3"));
        Files.write(cut, Arrays.copyOf(b, 300));
        IOException e = assertThrows(IOException.class, () -> {
            try (AudioWindow w = AudioDecoder.window(cut)) {
                w.read(0, w.frames());
            }
        });
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }
}
