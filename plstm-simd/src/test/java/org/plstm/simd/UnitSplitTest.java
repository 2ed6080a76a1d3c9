package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.LayerWorkspace;
import org.quicktheories.core.Gen;

/**
 * The split by unit blocks ({@link SimdWorkspace#unitSplit}, normally only for layers of 8 MiB of weights or more)
 * forced on small random layers, 2 and 3 threads, against the double reference with the tolerances of
 * {@link SimdCrossCheckTest}: the barrier, each part's units of the state, time gate, dz, dh and dx, and the
 * parts' shares of the gradients. H is at least {@code 12·L} so every part gets a group of 4 unit blocks.
 */
class UnitSplitTest {
    private static final int L = VectorLevel.L;

    @Test
    void anUnknownSplitIsRefusedNotIgnored() {
        String old = System.getProperty(SimdWorkspace.SPLIT_PROPERTY);
        try {
            System.setProperty(SimdWorkspace.SPLIT_PROPERTY, "garbage");
            org.assertj.core.api.Assertions.assertThatThrownBy(SimdWorkspace::splitProperty)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("plstm.simd.split: expected samples, units or auto, got 'garbage'");
            System.setProperty(SimdWorkspace.SPLIT_PROPERTY, " Units ");
            assertThat(SimdWorkspace.splitProperty()).isEqualTo("units");
            System.clearProperty(SimdWorkspace.SPLIT_PROPERTY);
            assertThat(SimdWorkspace.splitProperty()).isEqualTo("auto");
        } finally {
            if (old == null) {
                System.clearProperty(SimdWorkspace.SPLIT_PROPERTY);
            } else {
                System.setProperty(SimdWorkspace.SPLIT_PROPERTY, old);
            }
        }
    }

    @Test
    void unitSplitAgreesWithReference() {
        Gen<CrossCheckCase.Spec> specs = in -> new CrossCheckCase.Spec(integers().between(1, 6).generate(in),
                integers().between(1, 12).generate(in), integers().between(1, 2 * L + 1).generate(in),
                integers().between(12 * L - 3, 13 * L + 2).map(h -> Math.max(h, 12 * L)).generate(in),
                booleans().all().generate(in), booleans().all().generate(in), booleans().all().generate(in),
                booleans().all().generate(in), booleans().all().generate(in), booleans().all().generate(in),
                booleans().all().generate(in), integers().between(0, CrossCheckCase.TIME_STYLES - 1).generate(in),
                longs().all().generate(in));
        String old = System.getProperty(SimdWorkspace.SPLIT_PROPERTY);
        System.setProperty(SimdWorkspace.SPLIT_PROPERTY, "units");
        try (SimdEngine two = new SimdEngine(2); SimdEngine three = new SimdEngine(3)) {
            qt().withExamples(40).forAll(specs).checkAssert(spec -> {
                CrossCheckCase c = new CrossCheckCase(spec);
                if (!c.awayFromKinks()) {
                    return;
                }
                SimdEngine engine = (spec.seed() & 1) == 0 ? two : three;
                LayerWorkspace ws = engine.newWorkspace(c.cfg, spec.batch(), spec.steps());
                assertThat(((SimdWorkspace) ws).unitSplit).as("split by unit blocks").isTrue();
                List<String> failures = c.compare(c.reference(), c.run(engine, ws, 1), SimdCrossCheckTest.ATOL,
                        SimdCrossCheckTest.RTOL);
                assertThat(failures).as("%s on %s", spec, engine.description()).isEmpty();
            });
        } finally {
            if (old == null) {
                System.clearProperty(SimdWorkspace.SPLIT_PROPERTY);
            } else {
                System.setProperty(SimdWorkspace.SPLIT_PROPERTY, old);
            }
        }
    }
}
