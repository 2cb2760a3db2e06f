package dev.mtdtl.dsp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javazoom.spi.vorbis.sampled.convert.VorbisFormatConversionProvider;
import javazoom.spi.vorbis.sampled.file.VorbisAudioFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OggReader} drives jorbis page by page; until 2026-12-07 Ogg Vorbis went through vorbisspi's
 * {@code javax.sound} stream (kept here, test scope only, as the reference). Where vorbisspi decoded a file whole the
 * two give the same samples bit for bit; vorbisspi also lost the end of some files (a third of a 3 s libvorbis file
 * at 8 kHz, quality 0), which this reader decodes to ffmpeg's length.
 */
class OggReaderTest {

    @TempDir
    Path dir;

    /** The pre-2026-12-07 path: vorbisspi's reader and converter to 16-bit PCM, short / 32768, cut at the granule. */
    static Audio viaVorbisspi(Path file) throws Exception {
        try (AudioInputStream src = new VorbisAudioFileReader().getAudioInputStream(file.toFile())) {
            AudioFormat sf = src.getFormat();
            int ch = sf.getChannels();
            AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, sf.getSampleRate(), 16, ch, 2 * ch,
                    sf.getSampleRate(), false);
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (InputStream in = new VorbisFormatConversionProvider().getAudioInputStream(pcm, src)) {
                byte[] buf = new byte[1 << 16];
                int zeros = 0;
                for (int r; (r = in.read(buf)) >= 0 && zeros < 100_000; ) {
                    zeros = r == 0 ? zeros + 1 : 0;
                    bo.write(buf, 0, r);
                }
            }
            byte[] b = bo.toByteArray();
            int decoded = b.length / (2 * ch);
            int frames = OggEnd.keep(decoded, OggPages.finalGranule(file));
            return WavBytes.planar16(b, ch, frames, (int) sf.getSampleRate());
        }
    }

    /**
     * Both fail, or both decode and vorbisspi's samples are this reader's, or the first part of them (the end
     * vorbisspi lost); returns 0 when both failed, 1 when equal, 2 when vorbisspi's were a prefix.
     */
    private static int compare(Path f) {
        Audio old;
        try {
            old = viaVorbisspi(f);
        } catch (Exception e) {
            old = null;
        }
        Audio now;
        try {
            now = OggReader.read(f);
        } catch (IOException e) {
            assertTrue(e instanceof AudioDecodeException, f + ": " + e);
            now = null;
        }
        if (old == null || old.frames() == 0) {
            return 0;   // vorbisspi failed: this reader may decode what it could not, or refuse
        }
        assertTrue(now != null, f + ": vorbisspi decoded " + old.frames() + " frames, OggReader failed");
        assertEquals(old.channels(), now.channels(), f.toString());
        assertEquals(old.sampleRate(), now.sampleRate(), f.toString());
        assertTrue(old.frames() <= now.frames(), f + ": vorbisspi " + old.frames() + ", OggReader " + now.frames());
        for (int c = 0; c < old.channels(); c++) {
            assertArrayEquals(Arrays.copyOfRange(old.samples(), c * old.frames(), (c + 1) * old.frames()),
                    Arrays.copyOfRange(now.samples(), c * now.frames(), c * now.frames() + old.frames()),
                    f + ", channel " + c);
        }
        return old.frames() == now.frames() ? 1 : 2;
    }

    @Test
    void realFileDecodesAsVorbisspiDid() throws IOException {
        Path f = CodecFilesTest.resource("vorbis-44k-stereo.ogg");
        assertEquals(1, compare(f));
        assertArrayEquals(OggReader.read(f).samples(), AudioDecoder.decode(f).samples(), "the decoder takes Ogg here");
    }

    /** vorbisspi returned 16,128 of this file's 24,000 samples; ffmpeg and this reader all of them. */
    @Test
    void theEndVorbisspiLostIsDecoded() throws Exception {
        Path f = CodecFilesTest.resource("vorbis-8k-mono.ogg");
        Audio ref = WavReader.read(CodecFilesTest.resource("vorbis-8k-mono.ogg.ref.wav"));
        Audio a = AudioDecoder.decode(f);
        assertEquals(24_000, ref.frames());
        assertEquals(ref.frames(), a.frames(), "ffmpeg's length");
        assertEquals(2, compare(f));
        assertEquals(16_128, viaVorbisspi(f).frames(), "what vorbisspi returned");
        double worst = 0;
        for (int i = 0; i < a.frames(); i++) {
            worst = Math.max(worst, Math.abs(a.samples()[i] - ref.samples()[i]));
        }
        assertTrue(worst <= 2.0 / 32768, "most difference from ffmpeg's decode " + worst * 32768 + " LSB");
    }

    /**
     * Damaged copies (seeded): decoded or refused with an {@link AudioDecodeException} naming the file, nothing else;
     * a copy cut short decodes to the first samples of the whole file (its whole pages) or is refused. Each Ogg page
     * carries a CRC-32 and jogg drops a damaged page whole, so this 0.5 s file of three pages rarely survives other
     * damage; on 280 damaged copies of seven longer libvorbis files this reader and vorbisspi gave the same samples
     * wherever both decoded, except for the ends vorbisspi lost (bench/RESULTS.md, session 49).
     */
    @Test
    @Timeout(120)
    void damagedAndCutFilesAreDecodedOrNamed() throws IOException {
        Path whole = CodecFilesTest.resource("vorbis-8k-mono.ogg");
        byte[] seed = Files.readAllBytes(whole);
        Audio all = OggReader.read(whole);
        Random r = new Random(4917);
        int prefixes = 0;
        for (int k = 0; k < 80; k++) {
            byte[] m = seed.clone();
            switch (k % 4) {
                case 0 -> {
                    for (int j = 1 + r.nextInt(10); j > 0; j--) {
                        m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                    }
                }
                case 1 -> m = Arrays.copyOf(seed, r.nextInt(seed.length));
                case 2 -> {
                    byte[] junk = new byte[1 + r.nextInt(2000)];
                    r.nextBytes(junk);
                    m = AudioFuzzTest.insert(seed, r.nextInt(seed.length), junk);
                }
                default -> {
                    for (int j = 1 + r.nextInt(100); j > 0; j--) {
                        m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
            }
            Path f = dir.resolve("m" + k + ".ogg");
            Files.write(f, m);
            Audio a;
            try {
                a = AudioDecoder.decode(f);
            } catch (AudioDecodeException e) {
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
                continue;
            }
            if (k % 4 == 1) {   // cut short: the pages before the cut, the whole file's first samples
                assertTrue(a.frames() <= all.frames(), f.toString());
                assertArrayEquals(Arrays.copyOf(all.samples(), a.frames()), a.samples(), f.toString());
                prefixes++;
            }
        }
        assertTrue(prefixes >= 5, prefixes + " cut copies decoded");
    }

    /**
     * A page that fails its CRC is skipped whole by the sync layer, and the stream says how many pages it lost, once
     * ({@link AudioDamage}): counted from the gap in the pages' sequence numbers, so junk between two pages, which
     * loses nothing, says nothing. The samples decoded before the lost page are the undamaged file's. The file is the
     * libvorbis one with its audio packets re-paged two to a page (its own audio is one page), sequence numbers in order.
     */
    @Test
    void lostPagesAreCountedAndSaidOnce() throws IOException {
        List<byte[]> orig = OggPages.split(Files.readAllBytes(CodecFilesTest.resource("vorbis-44k-stereo.ogg")));
        assertEquals(3, orig.size(), "identification, comment and setup, audio");
        byte[] last = orig.get(2);
        int serial = java.nio.ByteBuffer.wrap(last).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(14);
        List<byte[]> audio = OggPages.packets(last);
        List<byte[]> pages = new ArrayList<>(orig.subList(0, 2));
        for (int i = 0; i < audio.size(); i += 2) {
            boolean end = i + 2 >= audio.size();
            pages.add(OggPages.page(end ? 4 : 0, end ? granule(last) : -1, serial, pages.size(),
                    audio.subList(i, Math.min(audio.size(), i + 2))));
        }
        assertTrue(pages.size() >= 12, pages.size() + " pages");
        Path gf = dir.resolve("paged.ogg");
        Files.write(gf, OggPages.join(pages));
        Audio all = AudioDecoder.decode(gf);
        int k = pages.size() / 2;
        for (int[] hit : new int[][]{{k}, {k - 3, k, k + 1}}) {
            List<byte[]> m = new ArrayList<>();
            for (byte[] p : pages) {
                m.add(p.clone());
            }
            for (int h : hit) {
                m.get(h)[m.get(h).length - 3] ^= 0x5A;   // in the page's body: its CRC fails
            }
            Path f = dir.resolve("lost" + hit.length + ".ogg");
            Files.write(f, OggPages.join(m));
            Audio a;
            List<AudioDamage.Note> notes;
            try (AudioDamage.Watch w = AudioDamage.watch()) {
                a = AudioDecoder.decode(f);
                notes = w.notes();
            }
            int first = hit[0];
            // the samples out before the first lost page: those of the pages before it
            Path head = dir.resolve("head.ogg");
            Files.write(head, OggPages.join(pages.subList(0, first)));
            int before = AudioDecoder.decode(head).frames();
            assertEquals(1, notes.size(), f.toString());
            assertEquals(String.format(java.util.Locale.ROOT, "mtdtl: %s: %d damaged Ogg page%s skipped (%spage %d of "
                    + "its stream, about %.1f s in)", f, hit.length, hit.length == 1 ? "" : "s", hit.length == 1 ? ""
                    : "the first: ", first, before / 44100.0), notes.get(0).line());
            assertTrue(a.frames() < all.frames(), f.toString());
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < before; i++) {
                    assertEquals(all.samples()[c * all.frames() + i], a.samples()[c * a.frames() + i], f + ": " + i);
                }
            }
            try (AudioDamage.Watch w = AudioDamage.watch(); AudioWindow win = AudioDecoder.window(f)) {
                assertArrayEquals(a.samples(), win.read(0, win.frames()), f + ": streamed");
                win.read(0, 1000);   // a second pass, which says nothing
                assertEquals(1, w.notes().size(), f + ": one note for the streamed file");
            }
        }
        // junk between two pages: nothing lost, nothing said
        byte[] junk = new byte[300];
        new Random(5).nextBytes(junk);
        Path f = dir.resolve("junk.ogg");
        List<byte[]> withJunk = new ArrayList<>(pages);
        withJunk.add(k, junk);
        Files.write(f, OggPages.join(withJunk));
        try (AudioDamage.Watch w = AudioDamage.watch()) {
            assertArrayEquals(all.samples(), AudioDecoder.decode(f).samples());
            assertEquals(List.of(), w.notes());
        }
        // a chained file (the paged file, then a copy under another serial) with a page of the second link lost: its
        // page number is the second stream's own, its time counts the first link's samples
        byte[] second = OggPages.withSerial(OggPages.join(pages), serial + 1);
        List<byte[]> link2 = OggPages.split(second);
        link2.get(k)[link2.get(k).length - 3] ^= 0x5A;
        Path chained = dir.resolve("chained.ogg");
        Files.write(chained, OggPages.join(List.of(OggPages.join(pages), OggPages.join(link2))));
        Path head = dir.resolve("head2.ogg");
        Files.write(head, OggPages.join(pages.subList(0, k)));
        int before = all.frames() + AudioDecoder.decode(head).frames();
        try (AudioDamage.Watch w = AudioDamage.watch(false)) {
            AudioDecoder.decode(chained);
            assertEquals(1, w.notes().size());
            assertEquals(String.format(java.util.Locale.ROOT, "mtdtl: %s: 1 damaged Ogg page skipped (page %d of its "
                    + "stream, about %.1f s in)", chained, k, before / 44100.0), w.notes().get(0).line());
        }
    }

    /** A page's granule position (header bytes 6-13, little-endian). */
    private static long granule(byte[] page) {
        return java.nio.ByteBuffer.wrap(page).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(6);
    }

    /** Channel c of {@code a} followed by channel c of {@code b}, for every channel. */
    private static float[] joined(Audio a, Audio b) {
        int f = a.frames() + b.frames();
        float[] s = new float[a.channels() * f];
        for (int c = 0; c < a.channels(); c++) {
            System.arraycopy(a.samples(), c * a.frames(), s, c * f, a.frames());
            System.arraycopy(b.samples(), c * b.frames(), s, c * f + a.frames(), b.frames());
        }
        return s;
    }

    private static byte[] concat(byte[]... parts) {
        return OggPages.join(List.of(parts));
    }

    /**
     * A chained file (RFC 3533: one logical stream after another, here a libvorbis file joined with a copy of itself
     * under another serial number, as {@code cat} joins recordings) decodes to both links end to end, each cut at its
     * own end-of-stream granule. Until 2026-12-07 decoding stopped at the first link's end, silently.
     */
    @Test
    void aChainedFileDecodesEveryLink() throws IOException {
        Path one = CodecFilesTest.resource("vorbis-44k-stereo.ogg");
        byte[] b = Files.readAllBytes(one);
        Audio a = OggReader.read(one);
        assertEquals(22_050, a.frames(), "the first link ends at its granule");
        Path chained = dir.resolve("chained.ogg");
        Files.write(chained, concat(b, OggPages.withSerial(b, 0x5EC0_0002)));
        Audio two = AudioDecoder.decode(chained);
        assertEquals(2 * a.frames(), two.frames());
        assertArrayEquals(joined(a, a), two.samples());
        Path same = dir.resolve("same-serial.ogg");   // cat of one file twice: the serial repeats, still a new link
        Files.write(same, concat(b, b, b));
        assertEquals(3 * a.frames(), AudioDecoder.decode(same).frames());
    }

    /** A link of another rate or channel count, or of another codec, is refused by its number and start time. */
    @Test
    void aLinkOfAnotherFormatIsRefusedByName() throws IOException {
        byte[] stereo = Files.readAllBytes(CodecFilesTest.resource("vorbis-44k-stereo.ogg"));
        byte[] mono = Files.readAllBytes(CodecFilesTest.resource("vorbis-8k-mono.ogg"));
        Path mixed = dir.resolve("mixed.ogg");
        Files.write(mixed, concat(stereo, OggPages.withSerial(mono, 77)));
        AudioDecodeException e = assertThrows(AudioDecodeException.class,
                () -> AudioDecoder.decode(mixed));
        assertEquals(mixed + ": link 2 of this chained Ogg file (0.5 s in) is 8,000 Hz with 1 channel(s), the first "
                + "44,100 Hz with 2: decode the links apart (e.g. split it with oggz-chop or ffmpeg) or convert the "
                + "file to one format", e.getMessage());
        byte[] opus = Arrays.copyOf("OpusHead".getBytes(StandardCharsets.ISO_8859_1), 19);   // version 1, 2 channels
        opus[8] = 1;
        opus[9] = 2;
        Path withOpus = dir.resolve("then-opus.ogg");
        Files.write(withOpus, concat(stereo, OggPages.page(0x02, 0, 91, 0, opus)));
        e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(withOpus));
        assertEquals(withOpus + ": unsupported codec: link 2 of this chained Ogg file (0.5 s in) holds no Vorbis "
                + "stream", e.getMessage());
    }

    /**
     * Grouped streams: an Ogg Skeleton (its "fishead" beginning-of-stream page first, its end-of-stream page among the
     * Vorbis headers' pages) beside the Vorbis stream. The Vorbis stream is decoded as in the file without it; the
     * Skeleton's pages are skipped. Before 2026-12-07 such a file was "not a Vorbis identification header".
     */
    @Test
    void aSkeletonBesideTheVorbisStreamIsSkipped() throws IOException {
        Path plain = CodecFilesTest.resource("vorbis-44k-stereo.ogg");
        List<byte[]> pages = new ArrayList<>(OggPages.split(Files.readAllBytes(plain)));
        byte[] fishead = new byte[64];
        System.arraycopy("fishead\0".getBytes(StandardCharsets.ISO_8859_1), 0, fishead, 0, 8);
        fishead[8] = 4;   // Skeleton version 4.0
        pages.add(0, OggPages.page(0x02, 0, 4242, 0, fishead));
        pages.add(2, OggPages.page(0x04, 0, 4242, 1, new byte[0]));
        Path grouped = dir.resolve("skeleton.ogg");
        Files.write(grouped, OggPages.join(pages));
        assertArrayEquals(OggReader.read(plain).samples(), AudioDecoder.decode(grouped).samples());
    }

    /**
     * A stream is cut at the granule position of its end-of-stream page only: with that page's flag cleared (its CRC
     * made again), nothing says where it ends and jorbis's 22,208 samples stand.
     */
    @Test
    void withoutAnEndOfStreamPageNothingIsCut() throws IOException {
        List<byte[]> pages = OggPages.split(Files.readAllBytes(CodecFilesTest.resource("vorbis-44k-stereo.ogg")));
        byte[] last = pages.get(pages.size() - 1);
        assertEquals(0x04, last[5] & 0x04);
        last[5] &= ~0x04;
        OggPages.crc(last);
        Path open = dir.resolve("no-end.ogg");
        Files.write(open, OggPages.join(pages));
        assertEquals(22_208, AudioDecoder.decode(open).frames());
        assertEquals(-1, OggPages.finalGranule(open));
    }
}
