package dev.mtdtl.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two rules that keep the engine's bits a function of the vector lane count alone, the same on every CPU
 * architecture and JDK (docs/portability.md):
 *
 * <p>No {@code Math.log}, {@code exp}, {@code pow}, {@code sin}, {@code cos}, ... where a result depends on it: those
 * may differ from the exact value by an ulp, and which last bit they give is the JVM's choice: HotSpot's x86
 * intrinsics and AArch64's (or its fdlibm fallback) disagree on 3-10 % of arguments (log, exp, pow, log10 and cos,
 * measured on a million values). {@code StrictMath} is specified to give fdlibm's bits everywhere. {@code Math.sqrt},
 * {@code fma}, {@code abs}, {@code floor} and friends are exact and stay.
 *
 * <p>No floating-point {@code reduceLanes(ADD)} or {@code (MUL)}: its lane order is unspecified, and JDK 25's C2 adds
 * the lanes of a 16-lane float vector in another order than JDK 17's on the same x86 machine (the resampler's bits
 * changed with the JDK until it summed its lanes in a fixed tree of lane-wise adds itself).
 *
 * <p>Exempt: {@code eval/profile/} (the profiler's drawings and its synthetic input) and {@code bench/} (timers), whose
 * numbers are not results.
 */
class PortableMathTest {

    private static final Pattern MATH = Pattern.compile("(?<![\\w.])Math\\."
            + "(log|log10|log1p|exp|expm1|pow|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|hypot|cbrt)\\(");
    private static final Pattern REDUCE = Pattern.compile("reduceLanes\\(\\s*(VectorOperators\\.)?(ADD|MUL)\\s*[,)]");

    private static boolean exempt(String rel) {
        return rel.startsWith("bench/") || rel.contains("/dev/mtdtl/eval/profile/");
    }

    @Test
    void resultsUseStrictMathAndNoUnorderedReductions() throws IOException {
        List<String> bad = new ArrayList<>();
        int strict = 0;
        for (Path f : MainSources.all()) {
            String rel = MainSources.relative(f);
            if (exempt(rel)) {
                continue;
            }
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.trim().startsWith("*") || line.trim().startsWith("//")) {
                    continue;
                }
                Matcher m = MATH.matcher(line);
                while (m.find()) {
                    bad.add(rel + ":" + (i + 1) + ": " + m.group() + " (use StrictMath." + m.group(1) + ")");
                }
                if (REDUCE.matcher(line).find()) {
                    bad.add(rel + ":" + (i + 1) + ": an unordered lane reduction: " + line.trim());
                }
                strict += line.split("StrictMath\\.", -1).length - 1;
            }
        }
        assertTrue(strict >= 50, "the scan found only " + strict + " StrictMath calls: is it reading the sources?");
        assertEquals(List.of(), bad, "these give other bits on another CPU or JDK (docs/portability.md)");
    }

    @Test
    void thePatternsCatchWhatTheyAreFor() {
        assertTrue(MATH.matcher("double y = Math.log(x);").find());
        assertTrue(MATH.matcher("s += Math.exp(a[j] - m);").find());
        assertFalse(MATH.matcher("double y = StrictMath.log(x);").find());
        assertFalse(MATH.matcher("double y = Math.sqrt(x) + Math.fma(a, b, c);").find());
        assertTrue(REDUCE.matcher("out[o] = a0.reduceLanes(VectorOperators.ADD);").find());
        assertFalse(REDUCE.matcher("m = v.reduceLanes(VectorOperators.MAX);").find());
    }
}
