package dev.mtdtl.data.synth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One generated dataset before it is written: its songs (one audio clip each), clip length, labels,
 * split and fold per track, and for recommendation the users and play counts. The learning corpus and
 * each target task are one {@code Dataset} each. Omitted: anything on disk (see {@link SynthCorpus}).
 */
final class Dataset {

    final String name;
    final String task;                 // "learning", "classification", "regression", "recommendation"
    final double seconds;
    final List<Song> songs = new ArrayList<>();
    final List<World.Artist> artists = new ArrayList<>();
    final List<String> classes = new ArrayList<>();
    String[] labelColumns = new String[0];
    final Map<String, String[]> labels = new LinkedHashMap<>();     // track id -> label values
    final Map<String, String> split = new LinkedHashMap<>();        // track id -> train / valid / test
    final Map<String, Integer> fold = new LinkedHashMap<>();        // track id -> fold
    int folds;
    String protocol = "";
    String description = "";
    List<TasteModel.User> users = List.of();
    List<TasteModel.Play> plays = List.of();

    Dataset(String name, String task, double seconds) {
        this.name = name;
        this.task = task;
        this.seconds = seconds;
    }

    /** Relative audio path of a track inside the dataset folder (100 files per sub-folder). */
    static String audioPath(int index, String id) {
        return String.format("audio/%03d/%s.wav", index / 100, id);
    }
}
