package dev.mtdtl.study.analysis;

import dev.mtdtl.data.prepare.TopicTerms;
import dev.mtdtl.eval.FeatureSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fig. 16's association on a planted case: two label clusters whose tracks' tag block points along two
 * different head rows; each cluster gets the topic of its own row, with that topic's terms, and the
 * probabilities are the softmax of the head at the tracks' mean block.
 */
class TopicOverlayTest {

    @Test
    void eachClusterGetsTheTopicItsTracksHeadPredictsBeyondTheOthers() {
        // Track vectors [mean block 0 (2) | mean block 1 (2) | std block 0 (2) | std block 1 (2)] = 8 dims;
        // block 1 is the tag source's. Block 0 holds values that would pick the other topic if it were read.
        int n = 6;
        float[] x = new float[n * 8];
        List<String> ids = new ArrayList<>();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            boolean rock = i < 3;
            labels[i] = rock ? 0 : 1;
            ids.add("t" + i);
            x[i * 8] = rock ? 0 : 9;
            x[i * 8 + 1] = rock ? 9 : 0;
            x[i * 8 + 2] = rock ? 4 : 0;
            x[i * 8 + 3] = rock ? 0 : 4;
            x[i * 8 + 6] = 7;                       // std half: never read
        }
        FeatureSet f = new FeatureSet("r1", "mscr2", "bpm+tag", "genre", ids, x, 8);
        float[] w = {1, 0, 0, 1, 0, 0};            // (K=3, d=2): topic 0 <- feature 0, topic 1 <- feature 1
        float[] b = {0, 0, 0};
        List<List<TopicTerms.Term>> topics = List.of(
                List.of(new TopicTerms.Term("guitar", 0.5), new TopicTerms.Term("riff", 0.3)),
                List.of(new TopicTerms.Term("sax", 0.6), new TopicTerms.Term("swing", 0.2), new TopicTerms.Term("bebop", 0.1),
                        new TopicTerms.Term("cool", 0.05)),
                List.of(new TopicTerms.Term("misc", 1.0)));
        List<TopicOverlay.Row> rows = TopicOverlay.associate(f, List.of(0, 1, 2, 3, 4, 5), labels,
                List.of("rock", "jazz"), "tag", 2, 2, w, b, 3, topics);
        assertEquals(2, rows.size());
        TopicOverlay.Row rock = rows.get(0);
        assertEquals("rock", rock.cluster());
        assertEquals(0, rock.topic());
        assertEquals(List.of("guitar", "riff"), rock.terms());
        // softmax(4, 0, 0) for rock tracks, softmax(0, 4, 0) for jazz: topic 0's mean over all is the average.
        double hi = Math.exp(4) / (Math.exp(4) + 2);
        double lo = 1 / (Math.exp(4) + 2);
        assertEquals(hi, rock.share(), 1e-12);
        assertEquals(hi - (hi + lo) / 2, rock.excess(), 1e-12);
        assertEquals(hi / ((hi + lo) / 2), rock.lift(), 1e-12);
        TopicOverlay.Row jazz = rows.get(1);
        assertEquals(1, jazz.topic());
        assertEquals(List.of("sax", "swing", "bebop"), jazz.terms());       // TERMS = 3 shown
        assertEquals("tag", jazz.source());
    }
}
