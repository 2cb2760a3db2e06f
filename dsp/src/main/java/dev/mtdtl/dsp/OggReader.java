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

/**
 * Ogg Vorbis by jorbis (LGPL-2.1), driven here page by page: the Ogg layer (jogg's sync and stream state) yields
 * packets, the first three are the Vorbis headers, each later one a block whose samples jorbis's synthesis hands out
 * as floats per channel.
 *
 * <p>Why not through vorbisspi's {@code javax.sound} stream, as until 2026-12-07: that path turned each float into a
 * 16-bit sample, wrote it as two bytes into a circular buffer, copied those out through an {@code AudioInputStream},
 * and returned 0 bytes while a page held no audio (122 times in a 30 s file), which a read loop had to tell from the
 * end; and it lost the end of some files (16,128 of the 24,000 samples of a 3 s libvorbis file at 8 kHz). The samples
 * here are converted as vorbisspi converted them, so where it decoded a file whole they are the same bit for bit
 * ({@code OggReaderTest}; 156 libvorbis files and damaged copies when this was written): {@code (int) (x * 32767.0)}
 * in double, truncated towards zero, clipped to [-32768, 32767], then divided by 32768. Like vorbisspi, decoding stops
 * at the first logical stream's end-of-stream page (a chained file's later streams are not read), a page or packet the Ogg
 * layer reports missing or corrupt is skipped, and a packet jorbis cannot synthesise is dropped. jorbis returns samples
 * past the stream's last granule position, which are cut there ({@link OggEnd}).
 *
 * <p>Errors name the file: not an Ogg Vorbis stream (its first packet is no Vorbis identification header), headers cut
 * or damaged, a rate or channel count outside {@link AudioLimits}, more audio than the longest accepted length, no
 * sample at all.
 */
final class OggReader {

    private static final int CHUNK = 1 << 14;

    private OggReader() {}

    static Audio read(Path file) throws IOException {
        long granule;
        try {
            granule = OggEnd.finalGranule(file);   // where the stream ends: the planar result is cut there once
        } catch (IOException e) {
            throw new AudioDecodeException(file, "cannot read the end of the Ogg stream: " + e.getMessage(), e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return decode(file, in, granule);
        } catch (RuntimeException e) {
            // jorbis signals some damaged packets with index errors of its own arrays
            throw new AudioDecodeException(file, "corrupt or truncated Ogg data: " + e, e);
        }
    }

    private static Audio decode(Path file, InputStream in, long granule) throws IOException {
        SyncState sync = new SyncState();
        StreamState stream = new StreamState();
        Page page = new Page();
        Packet packet = new Packet();
        Info info = new Info();
        Comment comment = new Comment();
        sync.init();
        // the first page: its first packet is the identification header
        if (!nextPage(sync, page, in)) {
            throw new AudioDecodeException(file, "unsupported codec or corrupt Ogg file: no Ogg page");
        }
        int serial = page.serialno();
        stream.init(serial);
        info.init();
        comment.init();
        if (stream.pagein(page) < 0 || stream.packetout(packet) != 1 || info.synthesis_headerin(comment, packet) < 0) {
            throw new AudioDecodeException(file, "unsupported codec or corrupt Ogg file: its first packet is not a "
                    + "Vorbis identification header");
        }
        // the comment and setup headers, from as many pages as they take
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
            } else if (nextPage(sync, page, in)) {
                stream.pagein(page);
            } else {
                throw new AudioDecodeException(file, "truncated header: the Ogg stream ends in its Vorbis headers");
            }
        }
        int channels = info.channels;
        int rate = info.rate;
        AudioLimits.checkFormat(file, rate, channels);
        long max = AudioLimits.maxFrames(rate, channels);
        DspState dsp = new DspState();
        Block block = new Block(dsp);
        dsp.synthesis_init(info);
        block.init(dsp);
        float[][][] pcm = new float[1][][];
        int[] index = new int[channels];
        float[][] out = new float[channels][1 << 16];   // (C, capacity)
        long n = 0;
        boolean eos = false;
        while (!eos) {
            int r = sync.pageout(page);
            if (r == 0) {
                if (!more(sync, in)) {
                    break;   // the data ends without an end-of-stream page: what was decoded stands
                }
                continue;
            }
            if (r < 0 || page.serialno() != serial) {
                continue;    // a gap or a damaged page, or another logical stream's page: skipped
            }
            stream.pagein(page);
            while (true) {
                int p = stream.packetout(packet);
                if (p == 0) {
                    break;
                }
                if (p < 0) {
                    continue;   // a missing packet, skipped like a page
                }
                if (block.synthesis(packet) == 0) {
                    dsp.synthesis_blockin(block);
                }
                int got;
                while ((got = dsp.synthesis_pcmout(pcm, index)) > 0) {
                    if (n + got > max) {
                        throw AudioLimits.tooLongStream(file, rate, channels);
                    }
                    if (n + got > out[0].length) {
                        for (int c = 0; c < channels; c++) {
                            out[c] = Arrays.copyOf(out[c], (int) Math.min(max + 1, 2 * (n + got)));
                        }
                    }
                    for (int c = 0; c < channels; c++) {
                        float[] src = pcm[0][c];
                        float[] dst = out[c];
                        int at = index[c];
                        for (int i = 0; i < got; i++) {
                            // vorbisspi's conversion to 16 bits, then the 16-bit decoders' scale
                            int v = (int) (src[at + i] * 32767.0);
                            v = v > 32767 ? 32767 : Math.max(v, -32768);
                            dst[(int) n + i] = v / 32768f;
                        }
                    }
                    dsp.synthesis_read(got);
                    n += got;
                }
            }
            eos = page.eos() != 0;
        }
        if (n == 0) {
            throw new AudioDecodeException(file, "zero-length audio (no sample frames decoded)");
        }
        int frames = OggEnd.keep((int) n, granule);
        float[] samples = new float[channels * frames];   // (C, frames)
        for (int c = 0; c < channels; c++) {
            System.arraycopy(out[c], 0, samples, c * frames, frames);
        }
        return new Audio(samples, channels, frames, rate);
    }

    /** The next whole page into {@code page}, reading as needed; false at the end of the data. */
    private static boolean nextPage(SyncState sync, Page page, InputStream in) throws IOException {
        while (true) {
            int r = sync.pageout(page);
            if (r == 1) {
                return true;
            }
            if (r == 0 && !more(sync, in)) {
                return false;
            }
        }
    }

    /** Feeds the next bytes of the file to the sync layer; false at the end. */
    private static boolean more(SyncState sync, InputStream in) throws IOException {
        int at = sync.buffer(CHUNK);
        int got = in.read(sync.data, at, CHUNK);
        if (got <= 0) {
            return false;
        }
        sync.wrote(got);
        return true;
    }
}
