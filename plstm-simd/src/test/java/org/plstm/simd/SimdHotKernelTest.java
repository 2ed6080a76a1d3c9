package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.LayerWorkspace;

/**
 * Runs every kernel variant at least {@value #REPEATS} times, interleaved, before asserting, so the C2-compiled
 * code (not the interpreter's) is what is checked: the JDK's own Vector API tests do the same. The shape breaks
 * every tail: B = 5 (a 4-sample tile plus a 1-sample tail), H = 5L + 1 (a 4-vector block plus single vectors in
 * the recurrent product, and padding), I = L + 3.
 */
class SimdHotKernelTest {
    private static final int REPEATS = 120;

    @Test
    void compiledKernelsAgreeWithReference() {
        int lanes = SimdEngine.floatLanes();
        List<CrossCheckCase> cases = new ArrayList<>();
        long seed = 1000;
        for (boolean peep : new boolean[] {false, true}) {
            for (boolean hard : new boolean[] {false, true}) {
                for (boolean timeGate : new boolean[] {false, true}) {
                    for (boolean training : new boolean[] {false, true}) {
                        CrossCheckCase c;
                        do {
                            c = new CrossCheckCase(new CrossCheckCase.Spec(5, 9, lanes + 3, 5 * lanes + 1, peep, hard,
                                    timeGate, training, true, true, training, (int) (seed % 3), seed++));
                        } while (!c.awayFromKinks());
                        cases.add(c);
                    }
                }
            }
        }
        try (SimdEngine engine = new SimdEngine(2)) {
            List<LayerWorkspace> ws = new ArrayList<>();
            for (CrossCheckCase c : cases) {
                ws.add(engine.newWorkspace(c.cfg, 5, 9));
            }
            List<CrossCheckCase.Actual> last = new ArrayList<>();
            for (int r = 0; r < REPEATS; r++) {
                last.clear();
                for (int n = 0; n < cases.size(); n++) {
                    last.add(cases.get(n).run(engine, ws.get(n), 1));
                }
            }
            for (int n = 0; n < cases.size(); n++) {
                CrossCheckCase c = cases.get(n);
                assertThat(c.compare(c.reference(), last.get(n), SimdCrossCheckTest.ATOL, SimdCrossCheckTest.RTOL))
                        .as("%s after %d runs", c.spec, REPEATS).isEmpty();
            }
        }
    }
}
