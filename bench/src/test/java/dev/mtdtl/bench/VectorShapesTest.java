package dev.mtdtl.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two rules the engine's Vector API code keeps so that JDK 17's C2 compiles its kernels unboxed.
 *
 * <p>One vector shape per element type in the whole engine: the preferred one for floats, ints, doubles and
 * longs (the factor models' double kernels keep bits that do not depend on the lane count: FactorBitsTest).
 *
 * <p>Why a rule and not a preference: C2 on JDK 17 compiles the Vector API through call sites in the
 * JDK's own abstract vector classes, shared by every caller in the process. Once two shapes of one element
 * type have run, those sites are bimorphic, and hot kernels compiled afterwards keep their vectors boxed:
 * after the dB-mel ran with 256-bit floats, the conv kernels of the same JVM ran 30x slower and a training
 * step 4x; after the MLP's Adam ran with 512-bit doubles beside the factor models' 256-bit ones, an ALS
 * sweep took 6x longer (bench/RESULTS.md, "One vector shape per JVM").
 *
 * <p>No shift or rotation by a vector of counts ({@code lanewise(LSHR, countVector)}): JDK 17 implements it by
 * calling lanewise again inside itself, and C2 refuses to inline a method already on its inlining stack when a
 * big caller makes it inline late ("recursive inlining is too deep"); the whole caller's vectors are then boxed.
 * The fused batch-norm backward ran so, 44 MB allocated a training step, in about one JVM in ten
 * (BatchNormPoolRows; bench/RESULTS.md, session 31). A scalar count takes another path and is fine.
 *
 * <p>Both effects depend on what C2 compiled before and when, so a timing test would be flaky; this test reads
 * the sources instead.
 */
class VectorShapesTest {

    private static final Pattern SPECIES = Pattern.compile("\\b(Float|Int|Double|Long|Short|Byte)Vector\\.SPECIES_(\\w+)");
    private static final Pattern RESHAPE = Pattern.compile("VectorSpecies\\.of\\(|\\.withShape\\(|VectorShape\\.");
    private static final Map<String, String> ALLOWED = Map.of(
            "Float", "PREFERRED", "Int", "PREFERRED", "Double", "PREFERRED", "Long", "PREFERRED");
    /**
     * Files allowed other shapes: Gemm picks the whole JVM's float shape from -Dmtdtl.vectorBits (tests of the
     * narrow-vector paths run in their own JVM); Peak's 256-bit probe runs only from its own main.
     */
    private static final Set<String> EXEMPT = Set.of("tensor/cpu/Gemm.java", "bench/Peak.java");

    /**
     * A lanewise shift or rotation and its count argument (up to the call's closing parenthesis); the count must be
     * an integer literal: a name may be a vector (the case this rule is about) or a scalar, which the source alone
     * does not tell.
     */
    private static final Pattern SHIFT =
            Pattern.compile("lanewise\\(\\s*VectorOperators\\.(LSHL|LSHR|ASHR|ROL|ROR)\\s*,\\s*([^)]*)\\)");
    private static final Pattern LITERAL = Pattern.compile("\\d+");

    @Test
    void noMainSourceShiftsByAVectorOfCounts() throws IOException {
        List<String> bad = new ArrayList<>();
        int seen = 0;
        for (Path f : MainSources.all()) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = SHIFT.matcher(lines.get(i));
                while (m.find()) {
                    seen++;
                    if (!LITERAL.matcher(m.group(2).trim()).matches()) {
                        bad.add(MainSources.relative(f) + ":" + (i + 1) + ": " + m.group());
                    }
                }
            }
        }
        assertTrue(seen >= 2, "the scan found only " + seen + " shifts: is the pattern still right?");
        assertEquals(List.of(), bad, "a shift by a vector of counts can make C2 box its whole caller: "
                + "multiply by powers of two, or mask fields in place (BatchNormPoolRows)");
    }

    @Test
    void theShiftRuleCatchesAVectorCount() {
        Matcher m = SHIFT.matcher("ci.lanewise(VectorOperators.LSHL, SHIFTS).reduceLanes(VectorOperators.OR)");
        assertTrue(m.find());
        assertTrue(!LITERAL.matcher(m.group(2).trim()).matches());
        m = SHIFT.matcher("IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);");
        assertTrue(m.find());
        assertTrue(LITERAL.matcher(m.group(2).trim()).matches());
    }

    @Test
    void everyMainSourceUsesTheEnginesOneShapePerElementType() throws IOException {
        List<Path> sources = MainSources.all();
        List<String> bad = new ArrayList<>();
        int seen = 0;
        for (Path f : sources) {
            String rel = MainSources.relative(f);
            if (EXEMPT.stream().anyMatch(rel::endsWith)) {
                continue;
            }
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher m = SPECIES.matcher(line);
                while (m.find()) {
                    seen++;
                    String want = ALLOWED.get(m.group(1));
                    if (!m.group(2).equals(want)) {
                        bad.add(rel + ":" + (i + 1) + ": " + m.group() + " (" + m.group(1) + " vectors are "
                                + (want == null ? "not used by the engine" : "SPECIES_" + want) + ")");
                    }
                }
                if (RESHAPE.matcher(line).find()) {
                    bad.add(rel + ":" + (i + 1) + ": a species built from a shape: " + line.trim());
                }
            }
        }
        assertTrue(seen >= 5, "the scan found only " + seen + " species references: is the pattern still right?");
        assertEquals(List.of(), bad, "a second vector shape per element type makes C2 box the hot kernels");
    }

    @Test
    void theRuleCatchesASecondShape() {
        for (String bad : new String[] {"static final VectorSpecies<Float> S = FloatVector.SPECIES_256;",
            "static final VectorSpecies<Double> S = DoubleVector.SPECIES_256;"}) {
            Matcher m = SPECIES.matcher(bad);
            assertTrue(m.find());
            assertTrue(!m.group(2).equals(ALLOWED.get(m.group(1))));
        }
        assertTrue(RESHAPE.matcher("VectorSpecies.of(double.class, F.vectorShape())").find());
    }
}
