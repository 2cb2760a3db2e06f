package dev.mtdtl.dsp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Which files a folder's audio is: the names {@link AudioDecoder} reads (it decides by the first bytes, but a folder
 * also holds covers, playlists and notes, so folders are filtered by extension), in the folder and its subfolders,
 * hidden files and folders (names starting with '.') left out: a library copied from a Mac holds a
 * {@code ._NAME.mp3} of resource-fork bytes beside every track, which no decoder reads.
 */
public final class AudioFiles {

    /** The extensions read as audio, lower case: WAV, FLAC, MP3, Ogg Vorbis, AIFF and AIFF-C, AU. */
    public static final List<String> EXTENSIONS = List.of("wav", "flac", "mp3", "ogg", "oga", "aif", "aiff", "aifc",
            "au", "snd");

    /** Extensions of audio formats no decoder here reads, lower case: what a folder of them is told (see {@link #notDecoded}). */
    static final List<String> OTHER_AUDIO = List.of("m4a", "mp4", "aac", "alac", "opus", "webm", "mka", "wma", "wv",
            "ape", "caf", "spx", "amr", "3gp", "mp2", "ac3", "dsf", "dff", "mid", "midi");

    private AudioFiles() {}

    /** Whether the file's name has one of {@link #EXTENSIONS} (any case). */
    public static boolean hasAudioName(Path file) {
        return EXTENSIONS.contains(extension(file));
    }

    /** The file name's extension, lower case, or "" when it has none. */
    private static String extension(Path file) {
        String n = file.getFileName().toString();
        int i = n.lastIndexOf('.');
        return i < 0 ? "" : n.substring(i + 1).toLowerCase(Locale.ROOT);
    }

    /**
     * The audio files under {@code folder}, at any depth, hidden ones left out, in the given order. Symbolic links are
     * followed (a dataset is often a link to where it is stored, or a folder of links to class folders: not following
     * them found no audio at all), and named by their path under {@code folder}; a link loop is refused, naming it.
     */
    public static List<Path> under(Path folder, Comparator<Path> order) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + ": not a folder");
        }
        try (Stream<Path> s = Files.walk(folder, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(p -> !hidden(folder.relativize(p))).filter(Files::isRegularFile).filter(AudioFiles::hasAudioName)
                    .sorted(order).toList();
        } catch (UncheckedIOException e) {   // a subfolder that cannot be read, or a link loop
            if (e.getCause() instanceof java.nio.file.FileSystemLoopException loop) {
                throw new IOException(folder + ": symbolic links loop at " + loop.getFile(), loop);
            }
            throw new IOException(folder + ": cannot list: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * For a message saying a folder holds no audio: what audio-like files it holds instead, e.g. {@code "; it holds 1,000
     * .m4a files, a format this engine does not decode (convert them, e.g. ffmpeg -i FILE FILE.flac)"}, or "" when none
     * (or when the folder cannot be listed: the message stands without it). Without it, a folder of M4A files was "0
     * files written" (status 0) for {@code mel}/{@code mfcc} and a corpus of 0 tracks for {@code import msd}.
     */
    public static String notDecoded(Path folder) {
        java.util.Map<String, Integer> count = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(folder, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            s.filter(p -> !hidden(folder.relativize(p))).filter(Files::isRegularFile).map(AudioFiles::extension)
                    .filter(OTHER_AUDIO::contains).forEach(ext -> count.merge(ext, 1, Integer::sum));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
        if (count.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("; it holds ");
        int k = 0;
        int total = 0;
        for (java.util.Map.Entry<String, Integer> e : count.entrySet()) {
            b.append(k++ == 0 ? "" : k == count.size() ? " and " : ", ").append(String.format(Locale.ROOT, "%,d", e.getValue()))
                    .append(" .").append(e.getKey());
            total += e.getValue();
        }
        return b.append(total == 1 ? " file, a format" : " files, formats").append(" this engine does not decode (convert ")
                .append(total == 1 ? "it" : "them").append(", e.g. ffmpeg -i FILE FILE.flac)").toString();
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
