package dev.mtdtl.dsp;

import com.jcraft.jogg.Packet;
import com.jcraft.jogg.Page;
import com.jcraft.jogg.StreamState;
import com.jcraft.jogg.SyncState;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Ogg Vorbis by jorbis (LGPL-2.1), driven here page by page: the Ogg layer (jogg's sync and stream state) yields
 * packets, the first three of a logical stream are the Vorbis headers, each later one a block whose samples jorbis's
 * synthesis hands out as floats per channel.
 *
 * <p>Why not through vorbisspi's {@code javax.sound} stream, as until 2026-12-07: that path turned each float into a
 * 16-bit sample, wrote it as two bytes into a circular buffer, copied those out through an {@code AudioInputStream},
 * and returned 0 bytes while a page held no audio (122 times in a 30 s file), which a read loop had to tell from the
 * end; and it lost the end of some files (16,128 of the 24,000 samples of a 3 s libvorbis file at 8 kHz). The samples
 * here are converted as vorbisspi converted them, so where it decoded a file whole they are the same bit for bit
 * ({@code OggReaderTest}; 156 libvorbis files and damaged copies when this was written): {@code (int) (x * 32767.0)}
 * in double, truncated towards zero, clipped to [-32768, 32767], then divided by 32768.
 *
 * <p>The file's structure (RFC 3533, section 4): logical streams are <em>grouped</em> (their pages interleaved, all
 * their beginning-of-stream pages first: an Ogg Skeleton or a video stream beside the audio) and <em>chained</em>
 * (one group after another: a radio recording, or files joined with {@code cat}). The first Vorbis stream of the
 * first group is decoded (pages of the group's other streams are skipped), then the first Vorbis stream of each
 * chained group after it, its samples appended, so long as it has the first's rate and channel count (a link of
 * another format is refused by its number and start time: nothing is resampled or mixed, and nothing dropped
 * silently; until 2026-12-07 decoding stopped at the first stream's end, as vorbisspi did, and a chained file lost
 * every later link without a word). Each stream ends at the granule position of its end-of-stream page (the Vorbis I
 * specification, A.2: the number of the last sample to output), where jorbis returns the block that finishes it whole
 * ({@link OggEnd#keep}). A page or packet the Ogg layer reports missing or corrupt (every page carries a CRC-32) is
 * skipped, and a packet jorbis cannot synthesise is dropped.
 *
 * <p>Errors name the file: not an Ogg Vorbis stream (no Vorbis identification header among the first group's
 * streams), headers cut or damaged, a link of another rate or channel count, a rate or channel count outside
 * {@link AudioLimits}, more audio than the longest accepted length, no sample at all.
 */
final class OggReader {

    private static final int CHUNK = 1 << 14;

    private final Path file;
    private final InputStream in;
    private final SyncState sync = new SyncState();
    private StreamState stream;   // the logical stream being read (jogg's init keeps a used one's fill counts)
    private final Page page = new Page();
    private final Packet packet = new Packet();
    private float[][] out;   // (C, capacity): the decoded links, end to end
    private long n;          // frames in out
    private int channels;
    private int rate;
    private long max;

    private OggReader(Path file, InputStream in) {
        this.file = file;
        this.in = in;
    }

    static Audio read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new OggReader(file, in).decode();
        } catch (RuntimeException e) {
            // jorbis signals some damaged packets with index errors of its own arrays
            throw new AudioDecodeException(file, "corrupt or truncated Ogg data: " + e, e);
        }
    }

    private Audio decode() throws IOException {
        sync.init();
        if (!nextPage()) {
            throw new AudioDecodeException(file, "unsupported codec or corrupt Ogg file: no Ogg page");
        }
        Info info = vorbisOfGroup();
        if (info == null) {
            throw new AudioDecodeException(file, "unsupported codec or corrupt Ogg file: its first packet is not a "
                    + "Vorbis identification header");
        }
        channels = info.channels;
        rate = info.rate;
        AudioLimits.checkFormat(file, rate, channels);
        max = AudioLimits.maxFrames(rate, channels);
        out = new float[channels][1 << 16];
        boolean more = decodeLink(info);
        for (int link = 2; more && nextLink(); link++) {
            String start = String.format(Locale.ROOT, "link %d of this chained Ogg file (%.1f s in)", link,
                    n / (double) rate);
            info = vorbisOfGroup();
            if (info == null) {
                throw new AudioDecodeException(file, "unsupported codec: " + start + " holds no Vorbis stream");
            }
            if (info.rate != rate || info.channels != channels) {
                throw new AudioDecodeException(file, String.format(Locale.ROOT, "%s is %,d Hz with %d channel(s), "
                        + "the first %,d Hz with %d: decode the links apart (e.g. split it with oggz-chop or "
                        + "ffmpeg) or convert the file to one format", start, info.rate, info.channels, rate,
                        channels));
            }
            more = decodeLink(info);
        }
        if (n == 0) {
            throw new AudioDecodeException(file, "zero-length audio (no sample frames decoded)");
        }
        int frames = (int) n;
        float[] samples = new float[channels * frames];   // (C, frames)
        for (int c = 0; c < channels; c++) {
            System.arraycopy(out[c], 0, samples, c * frames, frames);
        }
        return new Audio(samples, channels, frames, rate);
    }

    /**
     * The Vorbis stream of the group whose first beginning-of-stream page is in {@link #page}, its three headers read,
     * or null when the group's beginning-of-stream pages hold none: each is tried in turn (an Ogg Skeleton or another
     * codec's stream comes first in some files), until the first page that begins no stream.
     */
    private Info vorbisOfGroup() throws IOException {
        Comment comment;
        Info info;
        while (true) {
            stream = new StreamState();
            stream.init(page.serialno());
            info = new Info();
            info.init();
            comment = new Comment();
            comment.init();
            if (stream.pagein(page) == 0 && stream.packetout(packet) == 1
                    && info.synthesis_headerin(comment, packet) >= 0) {
                break;
            }
            if (!nextPage() || page.bos() == 0) {
                return null;
            }
        }
        // the comment and setup headers, from as many pages as they take (other streams' pages are refused by pagein)
        int headers = 1;
        while (headers < 3) {
            int r = stream.packetout(packet);
            if (r == 1) {
                if (info.synthesis_headerin(comment, packet) < 0) {
                    throw new AudioDecodeException(file, "corrupt Ogg Vorbis header " + (headers + 1));
                }
                headers++;
            } else if (r < 0) {
                throw new AudioDecodeException(file, "corrupt Ogg Vorbis header " + (headers + 1));
            } else if (nextPage()) {
                stream.pagein(page);
            } else {
                throw new AudioDecodeException(file, "truncated header: the Ogg stream ends in its Vorbis headers");
            }
        }
        return info;
    }

    /**
     * Decodes the audio packets of the stream whose headers {@code info} holds, appending to {@link #out}, up to its
     * end-of-stream page (then cut at that page's granule position); false when the data ended before such a page
     * (what was decoded stands).
     */
    private boolean decodeLink(Info info) throws IOException {
        int serial = page.serialno();
        DspState dsp = new DspState();
        Block block = new Block(dsp);
        dsp.synthesis_init(info);
        block.init(dsp);
        float[][][] pcm = new float[1][][];
        int[] index = new int[channels];
        long start = n;
        while (true) {
            // the packets the stream holds (the first time: any audio on the last header page)
            for (int p; (p = stream.packetout(packet)) != 0; ) {
                if (p < 0) {
                    continue;   // a missing packet, skipped like a page
                }
                if (block.synthesis(packet) == 0) {
                    dsp.synthesis_blockin(block);
                }
                int got;
                while ((got = dsp.synthesis_pcmout(pcm, index)) > 0) {
                    append(pcm[0], index, got);
                    dsp.synthesis_read(got);
                }
            }
            if (page.serialno() == serial && page.eos() != 0) {   // the page just fed ends the stream
                n = start + OggEnd.keep((int) (n - start), page.granulepos());
                return true;
            }
            int r;
            while ((r = sync.pageout(page)) != 1 || page.serialno() != serial) {
                // a gap or a damaged page (-1), or another logical stream's page: skipped
                if (r == 0 && !more()) {
                    return false;   // the data ends without an end-of-stream page
                }
            }
            stream.pagein(page);
        }
    }

    /** The next {@code got} samples of each channel, from {@code pcm[c][index[c]]} on, converted as vorbisspi did. */
    private void append(float[][] pcm, int[] index, int got) throws AudioDecodeException {
        if (n + got > max) {
            throw AudioLimits.tooLongStream(file, rate, channels);
        }
        if (n + got > out[0].length) {
            for (int c = 0; c < channels; c++) {
                out[c] = Arrays.copyOf(out[c], (int) Math.min(max + 1, 2 * (n + got)));
            }
        }
        for (int c = 0; c < channels; c++) {
            float[] src = pcm[c];
            float[] dst = out[c];
            int at = index[c];
            for (int i = 0; i < got; i++) {
                // vorbisspi's conversion to 16 bits, then the 16-bit decoders' scale
                int v = (int) (src[at + i] * 32767.0);
                v = v > 32767 ? 32767 : Math.max(v, -32768);
                dst[(int) n + i] = v / 32768f;
            }
        }
        n += got;
    }

    /** Whether a beginning-of-stream page follows (it is then in {@link #page}); other pages are skipped. */
    private boolean nextLink() throws IOException {
        while (nextPage()) {
            if (page.bos() != 0) {
                return true;
            }
        }
        return false;
    }

    /** The next whole page into {@link #page}, reading as needed; false at the end of the data. */
    private boolean nextPage() throws IOException {
        while (true) {
            int r = sync.pageout(page);
            if (r == 1) {
                return true;
            }
            if (r == 0 && !more()) {
                return false;
            }
        }
    }

    /** Feeds the next bytes of the file to the sync layer; false at the end. */
    private boolean more() throws IOException {
        int at = sync.buffer(CHUNK);
        int got = in.read(sync.data, at, CHUNK);
        if (got <= 0) {
            return false;
        }
        sync.wrote(got);
        return true;
    }
}
