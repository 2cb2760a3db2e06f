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
 * skipped, and a packet jorbis cannot synthesise is dropped; a stream that lost pages that way says how many, once, on
 * standard error and to {@link AudioDamage}'s watch (until 2026-12-08 it said nothing).
 *
 * <p>Errors name the file: not an Ogg Vorbis stream (no Vorbis identification header among the first group's
 * streams), headers cut or damaged, a link of another rate or channel count, a rate or channel count outside
 * {@link AudioLimits}, more audio than the longest accepted length, no sample at all.
 */
final class OggReader {

    private static final int CHUNK = 1 << 14;

    private OggReader() {}

    static Audio read(Path file) throws IOException {
        try (Blocks b = Blocks.open(file, -1)) {
            while (b.next()) {
                // every page
            }
            return b.audio(file);
        }
    }

    /**
     * The pages of an Ogg Vorbis file pulled one at a time ({@link PcmBlocks}): {@link #read} runs them all,
     * {@link BlockWindow} as far as its reads need.
     */
    static final class Blocks implements PcmBlocks {

        private final Path file;
        private final InputStream in;
        private final SyncState sync = new SyncState();
        private StreamState stream;   // the logical stream being read (jogg's init keeps a used one's fill counts)
        private final Page page = new Page();
        private final Packet packet = new Packet();
        private PcmBuffer buf;
        private int channels;
        private int rate;
        private long max;
        // the link being decoded
        private int link;
        private int serial;
        private long linkStart;   // its first frame's absolute index
        private DspState dsp;
        private Block block;
        private final float[][][] pcm = new float[1][][];
        private int[] index;
        private boolean fresh;    // no page read yet since the link's headers (the stream may hold audio packets)
        private boolean ended;
        private final boolean quiet;   // no damage note (a later pass of a stream)
        private long lastPage = -1;    // the page number of the link's last page fed to the decoder (-1: none yet)
        private int damaged;           // pages lost (see step), in all links
        private long firstDamaged;     // the first one's page number in its stream, and where it was (seconds)
        private double firstDamagedAt;

        private Blocks(Path file, InputStream in, boolean quiet) {
            this.file = file;
            this.in = in;
            this.quiet = quiet;
        }

        /** Opens the file and reads its first Vorbis stream's headers; {@code maxFrames} as {@link Mp3Reader.Blocks}. */
        static Blocks open(Path file, long maxFrames) throws IOException {
            return open(file, maxFrames, false);
        }

        /** {@link #open(Path, long)}; {@code quiet}: no note of damaged pages (a later pass of a stream). */
        static Blocks open(Path file, long maxFrames, boolean quiet) throws IOException {
            InputStream in = Files.newInputStream(file);
            try {
                Blocks b = new Blocks(file, in, quiet);
                b.first(maxFrames);
                in = null;
                return b;
            } catch (RuntimeException e) {
                throw corrupt(file, e);
            } finally {
                if (in != null) {
                    in.close();
                }
            }
        }

        private void first(long maxFrames) throws IOException {
            sync.init();
            if (!nextPage()) {
                throw new AudioDecodeException(file, "unsupported codec or corrupt Ogg file: no Ogg page");
            }
            Info info = vorbisOfGroup();
            if (info == null) {
                throw new AudioDecodeException(file, "unsupported codec or corrupt Ogg file: its first packet is not "
                        + "a Vorbis identification header");
            }
            channels = info.channels;
            rate = info.rate;
            AudioLimits.checkFormat(file, rate, channels);
            max = maxFrames < 0 ? AudioLimits.maxFrames(rate, channels) : maxFrames;
            buf = new PcmBuffer(channels, 1 << 16);
            begin(info);
        }

        @Override
        public int channels() {
            return channels;
        }

        @Override
        public int sampleRate() {
            return rate;
        }

        @Override
        public PcmBuffer buffer() {
            return buf;
        }

        /** The frames before the last {@link OggEnd#MAX_OVERHANG} of the current link, which its end may cut. */
        @Override
        public long stable() {
            return ended ? buf.end() : Math.max(linkStart, buf.end() - OggEnd.MAX_OVERHANG);
        }

        @Override
        public boolean next() throws IOException {
            if (ended) {
                return false;
            }
            try {
                return step();
            } catch (RuntimeException e) {
                throw corrupt(file, e);
            }
        }

        /**
         * One page of the link: its packets synthesised and appended; at the link's end-of-stream page, the cut at its
         * granule position and the next link's headers.
         */
        private boolean step() throws IOException {
            if (!fresh) {
                int r;
                while ((r = sync.pageout(page)) != 1 || page.serialno() != serial) {
                    // a gap or a damaged page (-1: bytes skipped to the next page that passes its CRC-32), or another
                    // logical stream's page: skipped
                    if (r == 0 && !more()) {
                        return end();   // the data ends without an end-of-stream page: what was decoded stands
                    }
                }
                // pages lost (damaged, so skipped by the sync layer, or missing): a gap in the stream's page numbers
                // (junk between two pages loses none)
                long no = pageNumber(page);
                long gap = lastPage >= 0 ? no - lastPage - 1 : 0;
                if (gap > 0) {
                    if (damaged == 0) {
                        firstDamaged = lastPage + 1;
                        firstDamagedAt = buf.end() / (double) rate;
                    }
                    damaged = (int) Math.min(Integer.MAX_VALUE, damaged + gap);
                }
                lastPage = no;
                stream.pagein(page);
            }
            fresh = false;
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
                buf.truncate(linkStart + OggEnd.keep((int) (buf.end() - linkStart), page.granulepos()));
                if (!nextLink()) {
                    return end();
                }
                String start = String.format(Locale.ROOT, "link %d of this chained Ogg file (%.1f s in)", link + 1,
                        buf.end() / (double) rate);
                Info info = vorbisOfGroup();
                if (info == null) {
                    throw new AudioDecodeException(file, "unsupported codec: " + start + " holds no Vorbis stream");
                }
                if (info.rate != rate || info.channels != channels) {
                    throw new AudioDecodeException(file, String.format(Locale.ROOT, "%s is %,d Hz with %d channel(s), "
                            + "the first %,d Hz with %d: decode the links apart (e.g. split it with oggz-chop or "
                            + "ffmpeg) or convert the file to one format", start, info.rate, info.channels, rate,
                            channels));
                }
                begin(info);
            }
            return true;
        }

        /** A page's sequence number in its stream (RFC 3533, header bytes 18-21, little-endian; jogg keeps its own private). */
        private static long pageNumber(Page p) {
            byte[] h = p.header_base;
            int o = p.header + 18;
            return (h[o] & 0xFFL) | (h[o + 1] & 0xFFL) << 8 | (h[o + 2] & 0xFFL) << 16 | (h[o + 3] & 0xFFL) << 24;
        }

        /**
         * The stream's end: a stream with damaged pages says so ({@link AudioDamage}), once. The pages skipped cost what
         * they held (a page is about 4 KB, a quarter of a second at 128 kbit/s); their packets are missing to jogg,
         * which resumes at the next page's first whole packet, as libvorbis's players do.
         */
        private boolean end() {
            ended = true;
            if (damaged > 0 && !quiet) {
                AudioDamage.report(new AudioDamage.Note(file, damaged, "damaged Ogg page", "skipped",
                        String.format(Locale.ROOT, "page %,d of its stream", firstDamaged), firstDamagedAt));
            }
            return false;
        }

        /** Starts decoding the link whose headers {@code info} holds (its stream is {@link #stream}, {@link #serial}). */
        private void begin(Info info) {
            link++;
            dsp = new DspState();
            block = new Block(dsp);
            dsp.synthesis_init(info);
            block.init(dsp);
            index = new int[channels];
            linkStart = buf.end();
            lastPage = page.serialno() == serial ? pageNumber(page) : -1;   // the headers' last page, if the stream's
            fresh = true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        private static AudioDecodeException corrupt(Path file, RuntimeException e) {
            // jorbis signals some damaged packets with index errors of its own arrays
            return new AudioDecodeException(file, "corrupt or truncated Ogg data: " + e, e);
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
                    serial = page.serialno();   // the stream's, whatever page the headers' loop reads last
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

        /** The next {@code got} samples of each channel, from {@code pcm[c][index[c]]} on, converted as vorbisspi did. */
        private void append(float[][] pcm, int[] index, int got) throws AudioDecodeException {
            if (buf.end() + got > max) {
                throw AudioLimits.tooLongStream(file, rate, channels, max);
            }
            for (int c = 0; c < channels; c++) {
                int at = buf.reserve(c, got);
                float[] dst = buf.array();
                float[] src = pcm[c];
                int from = index[c];
                for (int i = 0; i < got; i++) {
                    // vorbisspi's conversion to 16 bits, then the 16-bit decoders' scale
                    int v = (int) (src[from + i] * 32767.0);
                    v = v > 32767 ? 32767 : Math.max(v, -32768);
                    dst[at + i] = v / 32768f;
                }
                buf.wrote(c, got);
            }
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
}
