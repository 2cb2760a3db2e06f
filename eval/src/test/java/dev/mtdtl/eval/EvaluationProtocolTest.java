package dev.mtdtl.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protocol sidecar of a results CSV: recorded per dataset, read back, a different protocol refused. */
class EvaluationProtocolTest {

    @TempDir
    Path tmp;

    @Test
    void recordsReadsAndRefusesMixing() throws Exception {
        Path csv = tmp.resolve("results.csv");
        assertEquals(tmp.resolve("results.protocol.json"), EvaluationProtocol.sidecar(csv));
        EvaluationProtocol std = new EvaluationProtocol(true, "fixed-split",
                "the model's seed only (the predefined split is the same in every repetition)", 5, 1, null);
        EvaluationProtocol.record(csv, "genre", std);
        EvaluationProtocol.record(csv, "genre", std);                  // same protocol: fine (resume)
        EvaluationProtocol.record(csv, "recsys", new EvaluationProtocol(false, "item-folds-20",
                "the held-out item fold and the model's seed", 5, 1, "paper"));
        Map<String, EvaluationProtocol> all = EvaluationProtocol.read(csv);
        assertEquals(std, all.get("genre"));
        assertEquals("paper", all.get("recsys").wmfVariant());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluationProtocol.record(csv,
                "genre", new EvaluationProtocol(false, "fixed-split", "x", 5, 1, null)));
        assertTrue(e.getMessage().contains("not comparable"), e.getMessage());
    }
}
