package dev.mtdtl.dsp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a decoder left out of a damaged file that it still decoded: MP3 frames jlayer could not decode ({@link
 * Mp3Reader}), FLAC frames that failed their CRCs ({@link FlacReader}), Ogg pages that failed theirs or went missing
 * ({@link OggReader}). A damaged spot of a 30 s preview costs a few tens of milliseconds of it; refusing the file would
 * cost the whole track, so the decoders go on, and say what they left out: once a file, at the end of its first
 * decode, on standard error (as ffmpeg warns of what it skips; not under a quiet watch), and to the {@link Watch} open
 * on the decoding thread, so that a command that decodes many files can list them in its report (prepare's mel stores
 * do), and an application that embeds the engine can have them as values.
 *
 * <p>Why a watch on the thread rather than a value returned with the samples: the decoders sit under several layers
 * (the format sniffing of {@link AudioDecoder}, the streamed windows of {@link BlockWindow}, {@link Features}), and a
 * file is decoded on the thread that asked for it (a parallel loop's body, never handed to another thread), so the
 * note reaches whoever watches that thread without a field in every layer's results.
 */
public final class AudioDamage {

    /**
     * One file's damage: {@code count} units ({@code unit}: "damaged MP3 frame", ...) {@code fate} ("dropped", "replaced
     * by silence", ...); the first at {@code where} (a frame number or byte offset, as the format counts), about {@code
     * seconds} into the audio.
     */
    public record Note(Path file, int count, String unit, String fate, String where, double seconds) {

        /** The note without the file: "2 damaged MP3 frames dropped (the first: frame 7, about 0.2 s in)". */
        public String text() {
            return String.format(Locale.ROOT, "%,d %s%s %s (%s%s, about %.1f s in)", count, unit, count == 1 ? "" : "s",
                    fate, count == 1 ? "" : "the first: ", where, seconds);
        }

        /** The line on standard error: "mtdtl: FILE: " and {@link #text}. */
        public String line() {
            return "mtdtl: " + file + ": " + text();
        }
    }

    private static final ThreadLocal<Watch> WATCH = new ThreadLocal<>();

    /**
     * Whether {@code damaged} bad units of the first {@code units} (MP3 or FLAC frames) are more than a damaged spot:
     * past the first 8, more than one in eight. Then the file is refused, naming the count: that is no longer a file
     * with a damaged spot, and its audio would be mostly gaps.
     */
    static boolean tooMany(int damaged, long units) {
        return damaged > 8 && damaged > units / 8.0;
    }

    private AudioDamage() {}

    /**
     * A decoder's report at the end of a damaged file's first decode: kept by this thread's watch, and printed unless
     * that watch was opened quiet.
     */
    static void report(Note note) {
        Watch w = WATCH.get();
        if (w == null || w.echo) {
            System.err.println(note.line());
        }
        if (w != null) {
            w.notes.add(note);
        }
    }

    /**
     * Starts keeping the notes of the files this thread decodes, until {@link Watch#close}: {@code try (var w =
     * AudioDamage.watch()) { decode; w.notes() }}; each note is still printed. A watch opened inside another hides it
     * until closed.
     */
    public static Watch watch() {
        return watch(true);
    }

    /**
     * {@link #watch()}; {@code echo} false: the notes are kept and not printed (an application that embeds the engine
     * and reports damaged input its own way, around {@code Embedder.embed} for instance).
     */
    public static Watch watch(boolean echo) {
        Watch w = new Watch(WATCH.get(), echo);
        WATCH.set(w);
        return w;
    }

    /** The notes of one thread's decodes while it is open. */
    public static final class Watch implements AutoCloseable {

        private final Watch outer;
        private final boolean echo;
        private final List<Note> notes = new ArrayList<>();

        private Watch(Watch outer, boolean echo) {
            this.outer = outer;
            this.echo = echo;
        }

        /** The notes so far, in the order the files ended. */
        public List<Note> notes() {
            return List.copyOf(notes);
        }

        @Override
        public void close() {
            if (outer == null) {
                WATCH.remove();
            } else {
                WATCH.set(outer);
            }
        }
    }
}
