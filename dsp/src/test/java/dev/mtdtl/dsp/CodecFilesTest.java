package dev.mtdtl.dsp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real MP3 and Ogg Vorbis files, made by the encoders real collections come from (LAME and libvorbis, through
 * ffmpeg; {@code codecs/make_codec_files.py}), against ffmpeg's own decodes of the same files. Until 2026-12-07 the
 * decoders were tested only on frames of digital silence and random bytes, and real files failed twice over: the
 * shaded {@code mtdtl.jar} registered no MP3 or Ogg reader (one library's {@code META-INF/services} file had
 * overwritten the others'), and a Vorbis stream's first reads return 0 bytes, which the read loop took for its end
 * ("zero-length audio"). The decoder now names its readers itself, so no class path can lose them.
 *
 * <p>Tolerances are what the two decoders differ by, measured: jorbis is within 1 LSB (16-bit) of ffmpeg's Vorbis
 * decoder (RMS 0.8 LSB); jlayer within 20 LSB of ffmpeg's mp3float (RMS 6.7-7.1 LSB, about 54 dB below these
 * files' level: jlayer computes in float with a fast synthesis; ffmpeg's is ISO full accuracy). MP3 keeps what
 * ffmpeg drops (decision 2 of the reference digest: trim nothing): the LAME Info frame decodes to one frame of
 * silence, then the encoder's 576 and the decoder's 529 samples of delay.
 */
class CodecFilesTest {

    @TempDir
    Path dir;

    static Path resource(String name) {
        try {
            return Path.of(CodecFilesTest.class.getResource("codecs/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * name, channels, rate, samples per MPEG frame (0: Ogg), samples jlayer keeps before ffmpeg's first, the most
     * and the RMS difference in 16-bit LSB.
     */
    @ParameterizedTest
    @CsvSource({"lame-44k-stereo.mp3, 2, 44100, 1152, 2257, 24, 8",     // MPEG-1: 1152 + 576 + 529
        "lame-22k-mono.mp3, 1, 22050, 576, 1681, 24, 8",                    // MPEG-2: 576 + 576 + 529
        "vorbis-44k-stereo.ogg, 2, 44100, 0, 0, 2, 1"})
    void decodesAsFfmpegDoes(String name, int channels, int rate, int frameSamples, int lead, int maxLsb,
                             double rmsLsb) throws IOException {
        Audio a = AudioDecoder.decode(resource(name));
        Audio ref = WavReader.read(resource(name + ".ref.wav"));
        assertEquals(channels, a.channels(), name);
        assertEquals(rate, a.sampleRate(), name);
        assertEquals(channels, ref.channels(), name);
        int n = ref.frames();
        assertTrue(a.frames() >= lead + n, name + ": " + a.frames() + " frames, ffmpeg's " + n + " after " + lead);
        if (frameSamples > 0) {
            assertEquals(0, a.frames() % frameSamples, name + ": whole MPEG frames");
        }
        double max = 0;
        double sq = 0;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                double d = a.samples()[c * a.frames() + lead + i] - ref.samples()[c * n + i];
                max = Math.max(max, Math.abs(d));
                sq += d * d;
            }
        }
        double lsb = 1.0 / 32768;
        double rms = Math.sqrt(sq / (channels * (double) n));
        assertTrue(max <= maxLsb * lsb, name + ": most difference " + max / lsb + " LSB");
        assertTrue(rms <= rmsLsb * lsb, name + ": RMS difference " + rms / lsb + " LSB");
        for (int c = 0; c < channels && lead > 0; c++) {
            for (int i = 0; i < frameSamples; i++) {   // the Info frame: silence
                assertEquals(0f, a.samples()[c * a.frames() + i], 0f, name + " Info frame, sample " + i);
            }
        }
    }

    /**
     * The packaging bug itself: a JVM whose class path holds this one's jars with their {@code javax.sound} service
     * files removed (what the shaded mtdtl.jar had lost) decodes every real file. On the decoder of before
     * 2026-12-07, which asked {@code AudioSystem} for readers, each MP3 and Ogg file failed there with "no decoder
     * accepts it".
     */
    @Test
    void decodesWithoutTheDecodersServiceFiles() throws Exception {
        List<String> cp = new ArrayList<>();
        int stripped = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.endsWith(".jar") && Files.isRegularFile(p) && soundServices(p)) {
                Path copy = dir.resolve("stripped-" + stripped++ + "-" + p.getFileName());
                copyWithoutSoundServices(p, copy);
                cp.add(copy.toString());
            } else {
                cp.add(e);
            }
        }
        assertTrue(stripped >= 2, "jars with javax.sound service files (vorbisspi, jflac, mp3spi in tests) stripped: " + stripped);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, cp), DecodeMain.class.getName()));
        for (String f : new String[]{"lame-44k-stereo.mp3", "lame-22k-mono.mp3", "vorbis-44k-stereo.ogg"}) {
            cmd.add(resource(f).toString());
        }
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = proc.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, proc.exitValue(), out);
        assertEquals("25344 13248 22050", out.strip(), "frames of each file");
    }

    private static boolean soundServices(Path jar) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            return z.stream().anyMatch(e -> e.getName().startsWith("META-INF/services/javax.sound."));
        }
    }

    private static void copyWithoutSoundServices(Path jar, Path to) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile()); OutputStream os = Files.newOutputStream(to);
             ZipOutputStream zo = new ZipOutputStream(os)) {
            for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.getName().startsWith("META-INF/services/javax.sound.")) {
                    continue;
                }
                zo.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream in = z.getInputStream(e)) {
                    in.transferTo(zo);
                }
                zo.closeEntry();
            }
        }
    }

    /** The child JVM of {@link #decodesWithoutTheDecodersServiceFiles}: prints each file's frame count. */
    public static final class DecodeMain {
        public static void main(String[] args) throws IOException {
            StringBuilder b = new StringBuilder();
            for (String f : args) {
                b.append(b.length() > 0 ? " " : "").append(AudioDecoder.decode(Path.of(f)).frames());
            }
            System.out.println(b);
        }
    }

    /**
     * Formats a collection holds beside the decoded ones are refused by name, with what to do: an Ogg stream of
     * another codec used to be vorbisspi's "no decoder accepts it", an RF64 or M4A file "not a WAV, FLAC, ...".
     */
    @ParameterizedTest
    @CsvSource({"RF64, RF64 (a 64-bit WAV)", "BW64, RF64 (a 64-bit WAV)", "----ftypM4A , MP4/M4A (AAC or ALAC)",
        "OpusHead, Ogg Opus", "'Speex   ', Ogg Speex", "FLAC, FLAC in Ogg", "wvpk, WavPack", "caff, Apple CAF"})
    void otherFormatsAreRefusedByName(String magic, String name) throws IOException {
        byte[] b = new byte[600];
        java.util.Arrays.fill(b, (byte) 0x55);
        byte[] m = magic.getBytes(StandardCharsets.ISO_8859_1);
        if (magic.startsWith("Opus") || magic.startsWith("Speex") || magic.equals("FLAC")) {
            byte[] page = "OggS".getBytes(StandardCharsets.ISO_8859_1);   // a first page of one segment
            System.arraycopy(page, 0, b, 0, 4);
            b[4] = 0;
            b[5] = 2;
            b[26] = 1;
            b[27] = 19;
            int p = 28;
            if (magic.equals("FLAC")) {
                b[p++] = 0x7F;
            }
            System.arraycopy(m, 0, b, p, m.length);
        } else {
            System.arraycopy(m, 0, b, 0, m.length);
        }
        Path f = dir.resolve("x.bin");
        Files.write(f, b);
        AudioDecodeException e = org.junit.jupiter.api.Assertions.assertThrows(AudioDecodeException.class,
                () -> AudioDecoder.decode(f));
        assertEquals(f + ": unsupported codec: " + name + "; this engine decodes WAV, FLAC, MP3, Ogg Vorbis, AIFF and "
                + "AU (convert it, e.g. ffmpeg -i FILE FILE.flac)", e.getMessage());
    }

    /**
     * A Vorbis stream ends at its last page's granule position: 22,050 samples, the length of the 0.5 s the encoder was
     * given, where jorbis returned 22,208 (the finishing block whole) and ffmpeg 7.0 returns 21,922. Only a small
     * overhang is cut: no end page, a granule past the decoded length (an offset or chained stream) or far before it
     * leave the decode as it is.
     */
    @Test
    void aVorbisStreamEndsAtItsLastGranule() throws IOException {
        Path f = resource("vorbis-44k-stereo.ogg");
        assertEquals(22050, OggPages.finalGranule(f));
        assertEquals(22050, AudioDecoder.decode(f).frames());
        assertEquals(22050, OggEnd.keep(22208, 22050));
        assertEquals(22208, OggEnd.keep(22208, -1));
        assertEquals(22208, OggEnd.keep(22208, 30000));
        assertEquals(22208, OggEnd.keep(22208, 22208 - OggEnd.MAX_OVERHANG - 1));
        assertEquals(22208, OggEnd.keep(22208, 0));
    }

    /** An error page saved under an audio name (scraped previews) is said to be text, with its first words. */
    @Test
    void aTextFileUnderAnAudioNameIsSaidToBeText() throws IOException {
        Path f = dir.resolve("TRAAAAW128F429D538.mp3");
        Files.writeString(f, "<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head></html>\n");
        AudioDecodeException e = org.junit.jupiter.api.Assertions.assertThrows(AudioDecodeException.class,
                () -> AudioDecoder.decode(f));
        assertEquals(f + ": not audio: a text file starting '<!DOCTYPE html> <html><head><title>403 F' (an error page "
                + "saved by a failed download?)", e.getMessage());
        byte[] bin = new byte[64];
        bin[0] = 'x';
        bin[1] = 1;
        Files.write(f, bin);
        e = org.junit.jupiter.api.Assertions.assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(f));
        assertEquals(f + ": unsupported codec: not a WAV, FLAC, Ogg Vorbis, MP3, AIFF or AU file", e.getMessage());
    }

    /** The front end end to end, as {@code mtdtl mel --in DIR} runs it: every real file gives a spectrogram. */
    @Test
    void everyRealFileGoesThroughTheFrontEnd() throws IOException {
        List<Path> files = List.of(resource("lame-44k-stereo.mp3"), resource("lame-22k-mono.mp3"),
                resource("vorbis-44k-stereo.ogg"));
        List<Features.Failure> failed = Features.melAll(files, p -> dir.resolve(p.getFileName() + ".npy"),
                MelConfig.paper());
        assertEquals(List.of(), failed);
        for (Path f : files) {
            assertTrue(Files.size(dir.resolve(f.getFileName() + ".npy")) > 128 * 4, f.toString());
        }
    }
}
