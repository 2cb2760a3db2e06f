package dev.mtdtl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** evaluate standardises the MLP's inputs by default; --no-standardize keeps the paper code's unscaled inputs. */
class EvaluateOptionsTest {

    static EvaluateCommand parse(String... extra) {
        EvaluateCommand c = new EvaluateCommand();
        String[] base = {"--features", "f", "--dataset", "d", "--out", "o.csv"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        new CommandLine(c).parseArgs(all);
        return c;
    }

    @Test
    void standardiseByDefault() {
        assertTrue(parse().standardize);
        assertTrue(parse("--standardize").standardize);
        assertFalse(parse("--no-standardize").standardize);
    }
}
