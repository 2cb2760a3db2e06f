package dev.mtdtl.data.synth;

import dev.mtdtl.tensor.Rng;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The lyrics source: an LDA-like generator over 20 named topics and a vocabulary of real seed words
 * per topic, filler words, and stopwords (musiXmatch's lyrics are stemmed bags of words without order;
 * so are these). A track's topic mixture comes from its genre, its artist's favourite topic and the
 * audio-invisible part of its valence, so lyrics carry valence and topic and only weakly the audio.
 *
 * <p>Reference: data-notes.md section 2 (lyrics row). Coverage: the genre's lyrics probability
 * (instrumental genres rarely have lyrics), about 30% overall; length log-normal, median ~150 tokens,
 * of which 35% stopwords and background.
 *
 * <p>Omitted: word order, languages other than English-like, stemming (the words are already stems).
 */
final class Lyrics {

    static final String[] TOPICS = {"love", "party", "heartbreak", "faith", "violence", "nature", "travel",
            "politics", "money", "night", "home", "freedom", "dance", "death", "youth", "work", "dream", "city",
            "war", "sea"};

    /** Valence association of each topic, on [-1, 1] (it shapes the hidden part of valence). */
    static final double[] TOPIC_VALENCE = {0.7, 0.8, -0.8, 0.3, -0.9, 0.4, 0.4, -0.3, 0.1, -0.1, 0.5, 0.5, 0.8,
            -0.9, 0.5, -0.4, 0.3, 0.0, -0.8, 0.2};

    private static final String[][] SEEDS = {
            {"love", "heart", "babi", "kiss", "hold", "touch", "forev", "darl"},
            {"parti", "drink", "tonight", "club", "shot", "loud", "weekend", "bounc"},
            {"cri", "tear", "gone", "goodby", "broken", "lone", "leav", "hurt"},
            {"lord", "pray", "soul", "heaven", "jesu", "grace", "believ", "angel"},
            {"gun", "kill", "blood", "fight", "street", "shoot", "enemi", "rage"},
            {"sun", "rain", "river", "tree", "sky", "mountain", "wind", "flower"},
            {"road", "train", "drive", "mile", "highway", "wheel", "ride", "away"},
            {"peopl", "power", "nation", "law", "vote", "system", "truth", "govern"},
            {"money", "cash", "rich", "gold", "dollar", "bank", "pay", "diamond"},
            {"night", "dark", "moon", "star", "midnight", "shadow", "sleep", "light"},
            {"home", "mama", "daddi", "town", "famili", "door", "back", "kitchen"},
            {"free", "fly", "break", "chain", "wing", "run", "open", "wild"},
            {"danc", "move", "feet", "groov", "floor", "shake", "beat", "rhythm"},
            {"die", "grave", "dead", "ghost", "cold", "bone", "funer", "end"},
            {"young", "school", "summer", "kid", "wild", "first", "age", "old"},
            {"work", "job", "boss", "hour", "hand", "factori", "tire", "labor"},
            {"dream", "wish", "hope", "imagin", "sleep", "someday", "vision", "wonder"},
            {"citi", "light", "avenu", "taxi", "crowd", "lane", "subway", "neon"},
            {"war", "soldier", "battl", "bomb", "march", "flag", "armi", "fire"},
            {"sea", "wave", "ocean", "sail", "shore", "island", "tide", "ship"}};

    private static final String[] STOPWORDS = {"i", "the", "you", "to", "and", "a", "me", "it", "not", "in", "my",
            "is", "of", "your", "that", "do", "on", "are", "we", "am", "will", "all", "for", "no", "be", "have",
            "so", "know", "get", "like", "just", "up", "now", "oh", "what", "go", "yeah", "can", "with", "but",
            "come", "see", "let", "time", "say", "this", "want", "one", "na", "when"};

    final List<String> vocab = new ArrayList<>();
    final int[][] topicWords;          // (topics, words per topic) indices into vocab
    private final int background;      // vocab[0 .. background) are stopwords and background filler

    Lyrics(long seed) {
        Rng r = new Rng(Rng.hash(seed, 7));
        LinkedHashSet<String> words = new LinkedHashSet<>(List.of(STOPWORDS));
        while (words.size() < STOPWORDS.length + 250) {
            words.add(Names.word(r, 1 + r.nextInt(2)));
        }
        vocab.addAll(words);
        background = vocab.size();
        topicWords = new int[TOPICS.length][];
        for (int t = 0; t < TOPICS.length; t++) {
            List<Integer> ids = new ArrayList<>();
            for (String w : SEEDS[t]) {
                ids.add(indexOf(w));
            }
            while (ids.size() < 60) {
                ids.add(indexOf(Names.word(r, 2 + r.nextInt(2))));
            }
            topicWords[t] = ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private int indexOf(String w) {
        int i = vocab.indexOf(w);
        if (i >= 0) {
            return i;
        }
        vocab.add(w);
        return vocab.size() - 1;
    }

    /** Bag of words (word -> count) of one track, or null for an instrumental / uncovered track. */
    Map<String, Integer> bag(Song s, int artistTopic, Rng r) {
        double pLyrics = s.genre() >= 0 ? Styles.GENRES.get(s.genre()).lyricsProb() * 0.42 : 0.3;
        if (r.nextDouble() >= pLyrics) {
            return null;
        }
        // Topic weights: genre-independent base, the artist's topic, and topics matching the hidden valence.
        double[] w = new double[TOPICS.length];
        for (int t = 0; t < w.length; t++) {
            w[t] = 0.2 + 3.0 * StrictMath.exp(-4 * Math.abs(TOPIC_VALENCE[t] - s.valenceHidden()));
        }
        w[artistTopic] += 6;
        if (s.genre() >= 0) {
            w[(s.genre() * 7) % TOPICS.length] += 2;                // a genre's stock topic
        }
        int t1 = World.categorical(w, r);
        int t2 = World.categorical(w, r);
        int tokens = (int) Math.round(StrictMath.exp(StrictMath.log(150) + 0.6 * r.nextGaussian()));
        Map<String, Integer> bag = new TreeMap<>();
        for (int i = 0; i < tokens; i++) {
            double u = r.nextDouble();
            int word;
            if (u < 0.35) {
                word = zipf(background, r);
            } else {
                int[] tw = topicWords[u < 0.75 ? t1 : t2];
                word = tw[zipf(tw.length, r)];
            }
            bag.merge(vocab.get(word), 1, Integer::sum);
        }
        return bag;
    }

    // Rank with probability proportional to 1/(rank+1): Zipf word frequencies.
    private static int zipf(int n, Rng r) {
        double h = StrictMath.log(n + 1.0);
        int k = (int) Math.floor(StrictMath.exp(r.nextDouble() * h)) - 1;
        return Math.max(0, Math.min(n - 1, k));
    }
}
