package dev.mtdtl.dsp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
            int frames = OggEnd.keep(decoded, OggEnd.finalGranule(file));
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
}
