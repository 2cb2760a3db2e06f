package dev.mtdtl.dsp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Any supported audio file to {@link Audio}, chosen by the file's first bytes (not its name):
 * RIFF/WAVE through {@link WavReader}; FLAC ({@code fLaC}) through {@link FlacReader} (by hand); AIFF and
 * AIFF-C ({@code FORM}) through {@link AiffReader}; MP3 (ID3 tag or MPEG frame sync) through {@link Mp3Reader}
 * (jlayer's frame decoder, LGPL-2.1); Ogg Vorbis ({@code OggS}) through {@link OggReader} (jorbis, LGPL-2.1); AU
 * ({@code .snd}) through the JDK's {@code javax.sound.sampled} reader. A file whose start no format claims is still
 * MP3 where three MPEG frames follow one another within its first 64 KB ({@link Mp3Reader#chainStart}: a preview cut
 * inside a frame or saved behind an HTTP reply's headers); everything else is an "unsupported codec" error.
 *
 * <p>No decoder is looked up through {@code javax.sound}'s service files any more: the shaded mtdtl.jar, whose
 * libraries' service files overwrote one another, decoded no MP3 or Ogg file until 2026-12-07 while the module tests,
 * on a class path of separate jars, passed. The container is known from the file's first bytes, so the decoder is too.
 *
 * <p>The AU path decodes to signed little-endian PCM (24-bit when the source has 24 bits, else 16)
 * and scales by 2^(bits-1), like {@link WavReader}. Errors inside a decoder (corrupt or cut stream)
 * become an {@link AudioDecodeException} naming the file; a stream that ends before the length its
 * header announced is "truncated data". Rates, channel counts and lengths outside {@link AudioLimits}
 * are refused from the header where it states them, else while decoding (memory stays bounded). No
 * partial audio is ever returned.
 *
 * <p>Omitted: Opus, AAC/M4A, WMA (no well-kept pure-Java decoder on Maven Central; these and a few other formats a
 * collection may hold are refused by name, {@link #unsupported}); MP3 encoder delay and padding are not trimmed
 * (decision 2 of the reference digest: trim nothing).
 */
public final class AudioDecoder {

    /** Bytes of a file's start that {@link #sniff} and {@link #unsupported} look at (an Ogg page's first packet). */
    static final int HEAD = 512;

    private AudioDecoder() {}

    /** Decode {@code file}, whatever its container. */
    public static Audio decode(Path file) throws IOException {
        Route r = route(file);
        return switch (r.kind) {
            case "WAV" -> WavReader.read(file);   // WavReader reports a RIFF that is not WAVE or is cut short
            case "FLAC" -> FlacReader.read(file, r.start);
            case "AIFF" -> AiffReader.read(file);
            case "MP3" -> Mp3Reader.read(file, r.start);
            case "Ogg" -> OggReader.read(file);
            default -> decodeJdk(file, r.kind);
        };
    }

    /**
     * {@code file}'s samples by window, without decoding it whole ({@link DbMelStream}'s source): a WAV or AIFF file is
     * read where its samples lie ({@link WavReader.Window}, {@link AiffReader.Window}: every channel); MP3, Ogg Vorbis
     * and FLAC are decoded forward by {@link BlockWindow} (the first two channels); null for AU, the one format decoded
     * whole only (by the JDK). Errors as {@link #decode}'s, but for the whole decode's 30-minute bound.
     */
    public static AudioWindow window(Path file) throws IOException {
        Route r = route(file);
        BlockWindow.Opener opener = switch (r.kind) {
            case "MP3" -> (max, again) -> Mp3Reader.Blocks.open(file, r.start, max, again);
            case "FLAC" -> (max, again) -> FlacReader.Blocks.open(file, r.start, max, again);
            case "Ogg" -> (max, again) -> OggReader.Blocks.open(file, max, again);
            default -> null;
        };
        if (opener != null) {
            return BlockWindow.open(file, opener);
        }
        return switch (r.kind) {
            case "WAV" -> WavReader.open(file);
            case "AIFF" -> AiffReader.open(file);
            default -> null;
        };
    }

    /** Which reader decodes a file ({@link #sniff}'s names, and "WAV"), from which byte. */
    private record Route(String kind, long start) {}

    private static Route route(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new AudioDecodeException(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
        byte[] head = new byte[HEAD];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n == 0) {
            throw new AudioDecodeException(file, "empty file (0 bytes)");
        }
        if (n >= 4 && head[0] == 'R' && head[1] == 'I' && head[2] == 'F' && head[3] == 'F') {
            return new Route("WAV", 0);
        }
        String other = unsupported(head, n);
        if (other != null) {
            throw new AudioDecodeException(file, "unsupported codec: " + other + "; this engine decodes WAV, FLAC, MP3, "
                    + "Ogg Vorbis, AIFF and AU (convert it, e.g. ffmpeg -i FILE FILE.flac)");
        }
        long tag = id3v2Length(head, n);
        if (tag > 0 && tag + 4 <= Files.size(file)) {
            // ID3 usually starts an MP3, but taggers put it in front of FLAC streams too (ffmpeg and libFLAC read
            // those; jlayer does not): what follows the tag decides
            byte[] after = new byte[4];
            try (InputStream in = Files.newInputStream(file)) {
                in.skipNBytes(tag);
                if (in.readNBytes(after, 0, 4) == 4 && "FLAC".equals(sniff(after, 4))) {
                    return new Route("FLAC", tag);
                }
            }
        }
        String kind = sniff(head, n);
        if (kind == null) {
            // MPEG audio behind junk (a preview cut inside a frame, or saved with the HTTP reply's headers)
            byte[] start;
            try (InputStream in = Files.newInputStream(file)) {
                start = in.readNBytes(Mp3Reader.SEARCH);
            }
            int at = Mp3Reader.chainStart(start, start.length);
            if (at > 0) {
                return new Route("MP3", at);
            }
            String text = text(head, n);
            throw new AudioDecodeException(file, text != null ? "not audio: a text file starting '" + text + "' (an "
                    + "error page saved by a failed download?)"
                    : "unsupported codec: not a WAV, FLAC, Ogg Vorbis, MP3, AIFF or AU file");
        }
        return new Route(kind, 0);
    }

    /**
     * What a file's first bytes announce that no decoder here reads, or null: formats a music collection holds beside
     * the decoded ones, named so that the message says what to convert (else it is "not a WAV, FLAC, ...", or for an
     * Ogg stream of another codec, "its first packet is not a Vorbis identification header").
     */
    static String unsupported(byte[] h, int n) {
        if (n >= 4 && (ascii(h, 0, "RF64") || ascii(h, 0, "BW64"))) {
            return "RF64 (a 64-bit WAV)";
        }
        if (n >= 8 && ascii(h, 4, "ftyp")) {
            return "MP4/M4A (AAC or ALAC)";
        }
        if (n >= 4 && (h[0] & 0xFF) == 0x1A && (h[1] & 0xFF) == 0x45 && (h[2] & 0xFF) == 0xDF && (h[3] & 0xFF) == 0xA3) {
            return "Matroska/WebM";
        }
        if (n >= 4 && (h[0] & 0xFF) == 0x30 && (h[1] & 0xFF) == 0x26 && (h[2] & 0xFF) == 0xB2 && (h[3] & 0xFF) == 0x75) {
            return "ASF/WMA";
        }
        if (n >= 4 && ascii(h, 0, "wvpk")) {
            return "WavPack";
        }
        if (n >= 4 && ascii(h, 0, "MAC ")) {
            return "Monkey's Audio (APE)";
        }
        if (n >= 4 && ascii(h, 0, "caff")) {
            return "Apple CAF";
        }
        if (n >= 28 && ascii(h, 0, "OggS")) {
            int p = 27 + (h[26] & 0xFF);       // the first page's first packet: the codec's identification header
            if (n >= p + 8 && ascii(h, p, "OpusHead")) {
                return "Ogg Opus";
            }
            if (n >= p + 8 && ascii(h, p, "Speex   ")) {
                return "Ogg Speex";
            }
            if (n >= p + 5 && (h[p] & 0xFF) == 0x7F && ascii(h, p + 1, "FLAC")) {
                return "FLAC in Ogg";
            }
            if (n >= p + 7 && (h[p] & 0xFF) == 0x80 && ascii(h, p + 1, "theora")) {
                return "Ogg Theora (video)";
            }
        }
        return null;
    }

    /**
     * The first words of a file whose start is text (printable ASCII, tabs and line breaks, UTF-8 past ASCII allowed:
     * an HTML error page or a JSON reply saved under an audio name, as scraped previews often are), up to 40
     * characters with line breaks shown as spaces; null when the start holds other bytes.
     */
    static String text(byte[] h, int n) {
        int m = Math.min(n, 256);
        for (int i = 0; i < m; i++) {
            int c = h[i] & 0xFF;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7F) {
                return null;
            }
        }
        String s = new String(h, 0, m, java.nio.charset.StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return s.isEmpty() ? null : s.substring(0, Math.min(40, s.length()));
    }

    private static boolean ascii(byte[] h, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (h[at + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Bytes of the ID3v2 tag that starts the file (header, body and footer), or 0 when it does not start with one:
     * "ID3", version and revision below 0xFF, flags, then a 28-bit size in four bytes of 7 bits each (ID3v2.4 section
     * 3.1), plus a 10-byte footer when flag bit 4 says so.
     */
    static long id3v2Length(byte[] h, int n) {
        if (n < 10 || h[0] != 'I' || h[1] != 'D' || h[2] != '3' || (h[3] & 0xFF) == 0xFF || (h[4] & 0xFF) == 0xFF) {
            return 0;
        }
        int size = 0;
        for (int i = 6; i < 10; i++) {
            if ((h[i] & 0x80) != 0) {
                return 0;
            }
            size = size << 7 | h[i];
        }
        return 10L + size + ((h[5] & 0x10) != 0 ? 10 : 0);
    }

    /** The container a file's first bytes announce, or null. */
    static String sniff(byte[] h, int n) {
        if (n >= 4 && h[0] == 'f' && h[1] == 'L' && h[2] == 'a' && h[3] == 'C') {
            return "FLAC";
        }
        if (n >= 4 && h[0] == 'O' && h[1] == 'g' && h[2] == 'g' && h[3] == 'S') {
            return "Ogg";
        }
        if (n >= 3 && h[0] == 'I' && h[1] == 'D' && h[2] == '3') {
            return "MP3";
        }
        if (n >= 2 && (h[0] & 0xFF) == 0xFF && (h[1] & 0xE0) == 0xE0) {
            return "MP3";   // MPEG audio frame sync (11 set bits)
        }
        if (n >= 4 && h[0] == 'F' && h[1] == 'O' && h[2] == 'R' && h[3] == 'M') {
            return "AIFF";
        }
        if (n >= 4 && h[0] == '.' && h[1] == 's' && h[2] == 'n' && h[3] == 'd') {
            return "AU";
        }
        return null;
    }

    /** AU (the only format left to {@code javax.sound.sampled}: the JDK's own reader, no service file needed). */
    private static Audio decodeJdk(Path file, String kind) throws AudioDecodeException {
        byte[] pcm;
        AudioFormat fmt;
        long announced;
        try (AudioInputStream src = AudioSystem.getAudioInputStream(file.toFile())) {
            AudioFormat sf = src.getFormat();
            int bits = sf.getSampleSizeInBits() == 24 ? 24 : 16;
            int ch = sf.getChannels();
            AudioLimits.checkFormat(file, sf.getSampleRate(), ch);
            fmt = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, sf.getSampleRate(), bits, ch, ch * bits / 8,
                    sf.getSampleRate(), false);
            announced = src.getFrameLength();
            int irate = (int) sf.getSampleRate();
            if (announced > 0) {
                AudioLimits.checkFrames(file, announced, irate, ch);
            }
            // Decode at most the longest accepted length (plus one frame to tell "longer" apart), so that
            // a stream that never ends, or decodes to far more than its size suggests, is bounded.
            long maxBytes = (AudioLimits.maxFrames(irate, ch) + 1) * ch * bits / 8;
            AudioInputStream pcmIn = matches(sf, fmt) ? src
                    : AudioSystem.isConversionSupported(fmt, sf) ? AudioSystem.getAudioInputStream(fmt, src) : null;
            if (pcmIn == null) {
                throw new AudioDecodeException(file, "unsupported codec: no decoder from " + sf + " to PCM");
            }
            try (AudioInputStream in = pcmIn) {
                pcm = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 16));
                if (pcm.length > maxBytes) {
                    throw AudioLimits.tooLongStream(file, irate, ch);
                }
            }
        } catch (UnsupportedAudioFileException e) {
            throw new AudioDecodeException(file, "unsupported codec or corrupt " + kind + " file: no decoder accepts it", e);
        } catch (AudioDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Decoders signal corrupt streams with IOException or with runtime exceptions of their own.
            throw new AudioDecodeException(file, "corrupt or truncated " + kind + " data: " + e, e);
        }
        float rate = fmt.getSampleRate();
        int bpf = fmt.getFrameSize();
        int frames = pcm.length / bpf;
        if (pcm.length % bpf != 0) {
            throw new AudioDecodeException(file, "truncated data: decoder stopped inside a sample frame");
        }
        if (announced != AudioSystem.NOT_SPECIFIED && announced > 0 && frames < announced) {
            throw new AudioDecodeException(file, "truncated data: header announces " + announced + " frames, "
                    + frames + " decoded");
        }
        if (frames == 0) {
            throw new AudioDecodeException(file, "zero-length audio (no sample frames decoded)");
        }
        int ch = fmt.getChannels();
        int bytes = fmt.getSampleSizeInBits() / 8;
        ByteBuffer bb = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[ch * frames];
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < ch; c++) {
                int p = i * bpf + c * bytes;
                out[c * frames + i] = bytes == 2 ? bb.getShort(p) / 32768f
                        : ((pcm[p] & 0xFF) | (pcm[p + 1] & 0xFF) << 8 | pcm[p + 2] << 16) / 8388608f;
            }
        }
        return new Audio(out, ch, frames, (int) rate);
    }

    private static boolean matches(AudioFormat a, AudioFormat b) {
        return a.getEncoding().equals(b.getEncoding()) && a.getSampleSizeInBits() == b.getSampleSizeInBits()
                && a.getChannels() == b.getChannels() && !a.isBigEndian() && a.getFrameSize() == b.getFrameSize();
    }
}
