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
 * going back to the start, across an Ogg chain's links where the decoder cuts each link's end), keeping the first
 * pass or decoding again; and its memory does not grow with the file.
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

    /** Reads of random lengths from 0 to the end, then a read going back (a second pass when nothing is kept). */
    private static void check(Path file, double keepSeconds, long seed) throws IOException {
        Audio whole = AudioDecoder.decode(file).toStereo();
        try (AudioWindow w = AudioDecoder.window(file, keepSeconds)) {
            assertTrue(w instanceof BlockWindow, file.toString());
            assertEquals(whole.frames(), w.frames(), file + ": frames");
            assertEquals(whole.sampleRate(), w.sampleRate());
            int ch = w.channels();
            int n = w.frames();
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
        check(stereo, 1e6, 1);   // kept
        check(stereo, 0, 2);     // decoded again on going back
        Path mono = joined("lame-22k-mono.mp3", 4);
        check(mono, 0, 3);
        check(CodecFilesTest.resource("lame-44k-stereo.mp3"), 0, 4);
    }

    /** A chained Ogg file: each link cut at its end granule, the cut never seen by a read. */
    @Test
    void oggLinksAsTheWholeDecode() throws IOException {
        Path chain = joined("vorbis-44k-stereo.ogg", 5);
        assertEquals(5 * 22_050, AudioDecoder.decode(chain).frames());
        check(chain, 1e6, 5);
        check(chain, 0, 6);
        check(joined("vorbis-8k-mono.ogg", 3), 0, 7);
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
            check(chain, 0, seed);
        }
    }

    @Test
    void memoryDoesNotGrowWithTheFile() throws IOException {
        Path longer = joined("lame-44k-stereo.mp3", 40);
        try (BlockWindow w = (BlockWindow) AudioDecoder.window(longer, 0)) {
            assertFalse(w.kept());
            int n = w.frames();
            long most = 0;
            for (int from = 0; from + 4096 <= n; from += 4096) {
                w.read(from, 4096);
                most = Math.max(most, heldFrames(w));
            }
            assertTrue(most < 4096 + 2 * 1152 + 4608, "held " + most + " frames for reads of 4,096");
        }
        try (BlockWindow w = (BlockWindow) AudioDecoder.window(longer, 1e6)) {
            assertTrue(w.kept());
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

    /** FLAC, AIFF and AU are decoded whole; errors are the whole decode's, naming the file. */
    @Test
    void otherFormatsAreNotWindowedAndErrorsNameTheFile() throws IOException {
        assertNull(AudioDecoder.window(CodecFilesTest.resource("ffmpeg-44k-indep.flac"), 0));
        Path cut = dir.resolve("cut.mp3");
        byte[] b = Files.readAllBytes(CodecFilesTest.resource("lame-44k-stereo.mp3"));
        Files.write(cut, Arrays.copyOf(b, 300));
        IOException e = assertThrows(IOException.class, () -> {
            try (AudioWindow w = AudioDecoder.window(cut, 0)) {
                w.read(0, w.frames());
            }
        });
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }
}
