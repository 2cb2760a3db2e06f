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

    /** The extensions read as audio, lower case: WAV, FLAC, MP3, Ogg Vorbis, AIFF, AU. */
    public static final List<String> EXTENSIONS = List.of("wav", "flac", "mp3", "ogg", "aif", "aiff", "au", "snd");

    private AudioFiles() {}

    /** Whether the file's name has one of {@link #EXTENSIONS} (any case). */
    public static boolean hasAudioName(Path file) {
        String n = file.getFileName().toString();
        int i = n.lastIndexOf('.');
        return i >= 0 && EXTENSIONS.contains(n.substring(i + 1).toLowerCase(Locale.ROOT));
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

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
