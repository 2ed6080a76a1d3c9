package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The surefire executions at other instruction levels (plstm-simd/pom.xml) really run at those levels. Each names
 * the level it expects ({@code plstm.test.expectLevel}, {@code name/bits}, e.g. {@code avx2/256}); an x86 CPU
 * that lacks the level makes the JVM fall back to a lower one, and the execution then says so (the test is
 * skipped with the reason) rather than pass off the lower level as the requested one.
 */
class LevelTest {
    /** x86 levels from lowest to highest, as {@link VectorLevel#name()} gives them. */
    private static final List<String> X86 = List.of("sse", "avx", "avx2", "avx512");

    @Test
    void runsAtTheExpectedLevel() {
        String level = VectorLevel.name();
        int bits = VectorLevel.vectorBitSize();
        System.out.println("SIMD kernels: " + VectorLevel.describe());
        assertThat(VectorLevel.floatLanes() * 32).isEqualTo(bits);
        assertThat(VectorLevel.usable()).isTrue();
        String expected = System.getProperty("plstm.test.expectLevel");
        if (expected == null) {
            return;
        }
        String[] e = expected.split("/");
        if (X86.contains(e[0]) && X86.contains(level) && X86.indexOf(level) < X86.indexOf(e[0])) {
            assumeTrue(false, "skipped: this CPU lacks " + e[0] + " (the JVM runs " + VectorLevel.describe()
                    + "); the suite ran at that lower level instead");
        }
        assertThat(level + "/" + bits).as(VectorLevel.describe()).isEqualTo(expected);
    }

    @Test
    void levelConstantsAreConsistent() {
        // Without FMA the phase takes its scalar path; without vector masks the elementwise kernels do too.
        assertThat(VectorLevel.TILE_ROWS).isEqualTo(VectorLevel.REGISTERS >= 32 ? 4 : 2);
        if (VectorLevel.name().equals("sse")) {
            assertThat(VectorLevel.FMA).as("UseAVX=0 has no FMA").isFalse();
            assertThat(VectorLevel.MASKS).isFalse();
        }
    }
}
