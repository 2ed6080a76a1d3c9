package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.PhasedLstmConfig;

/**
 * The common layer's cell backward ({@code CellKernel.backwardPlainRows}, the kernel {@link CellKernel#backwardRows}
 * runs for a layer without peepholes and with the logistic sigmoid, at every level) gives the bits of its scalar twin
 * ({@link CellKernel#backwardScalar}) for {@code dz}, {@code dL/dk} and the carried {@code dL/dh_{t-1}},
 * {@code dL/dc_{t-1}}, with a time gate ({@code k} including exact 0 and 1) and without one. Without a time gate the
 * vector kernel multiplies by {@code k = 1} and adds {@code (1 − k)·dc = ±0} where the twin skips the terms, so
 * there zeros compare as one value (a carried {@code -0} instead of {@code 0}; it only ever starts a sum). Each case
 * runs {@value #REPEATS} times, so C2's code is checked as well as the interpreter's, at whatever level this JVM runs
 * (surefire runs this suite at every x86 level, {@code UseAVX=0} included).
 */
class CellBackwardTwinTest {
    private static final int REPEATS = 300;
    private static final long SEED = 20261204L;
    private static final int BATCH = 3;
    private static final int T = 1;

    @Test
    void plainBackwardWithTimeGateMatchesItsScalarTwinBitForBit() {
        check(true);
    }

    @Test
    void plainBackwardWithoutTimeGateMatchesItsScalarTwinUpToSignedZeros() {
        check(false);
    }

    private static void check(boolean timeGate) {
        System.out.println("CellBackwardTwinTest seed " + SEED + ", time gate " + timeGate + " ("
                + VectorLevel.describe() + ")");
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(3, 2 * VectorLevel.L + 1).timeGate(timeGate).build();
        SimdWorkspace ws = new SimdWorkspace(1, cfg, BATCH, 2);
        ws.trainingArrays(); // the caches this test fills by hand
        PackedLayer layer = ws.layer;
        assertThat(layer.plain).as("a layer without peepholes, logistic sigmoid").isTrue();
        SimdWorkspace.Worker s = ws.workers[0];
        s.dz = ws.fusedWeightGradients && !ws.unitSplit ? s.dzStep : ws.dz;
        int hPad = ws.hPad;
        int gateWidth = ws.gateWidth;
        SplittableRandom rng = new SplittableRandom(SEED + (timeGate ? 1 : 0));
        for (int rep = 0; rep < REPEATS; rep++) {
            for (int q = 0; q < BATCH; q++) {
                s.rows[q] = q;
                for (int u = 0; u < hPad; u++) {
                    int at = ws.state(T, q) + u;
                    ws.gi[at] = (float) rng.nextDouble();
                    ws.gf[at] = (float) rng.nextDouble();
                    ws.go[at] = (float) rng.nextDouble();
                    ws.gg[at] = (float) (2 * rng.nextDouble() - 1);
                    ws.tc[at] = (float) (2 * rng.nextDouble() - 1);
                    ws.cc[at] = (float) (3 * (2 * rng.nextDouble() - 1));
                    ws.hc[at] = (float) (2 * rng.nextDouble() - 1);
                }
            }
            for (int u = 0; u < hPad; u++) {
                int pick = rng.nextInt(4);
                s.kS[u] = !timeGate || pick == 1 ? 1f : pick == 0 ? 0f : (float) rng.nextDouble();
            }
            float[] dh = new float[BATCH * hPad];
            float[] dc = new float[BATCH * hPad];
            for (int j = 0; j < dh.length; j++) {
                dh[j] = (float) (2 * rng.nextDouble() - 1);
                dc[j] = (float) (2 * rng.nextDouble() - 1);
            }

            System.arraycopy(dh, 0, ws.dhN, 0, dh.length);
            System.arraycopy(dc, 0, ws.dcN, 0, dc.length);
            CellKernel.backwardRows(layer, ws, s, T, 0, BATCH, 0, layer.blocks);
            Outputs vector = Outputs.of(ws, s, LayerBackward.dzRow(ws, T, 0, 0), BATCH * gateWidth, BATCH * hPad);

            System.arraycopy(dh, 0, ws.dhN, 0, dh.length);
            System.arraycopy(dc, 0, ws.dcN, 0, dc.length);
            for (int q = 0; q < BATCH; q++) {
                int b = s.rows[q];
                for (int nb = 0; nb < layer.blocks; nb++) {
                    int u = nb * VectorLevel.L;
                    CellKernel.backwardScalar(layer, ws, s, ws.state(T, b) + u, b * hPad + u,
                            LayerBackward.dzRow(ws, T, b, q) + nb * 4 * VectorLevel.L, q * hPad, u);
                }
            }
            Outputs scalar = Outputs.of(ws, s, LayerBackward.dzRow(ws, T, 0, 0), BATCH * gateWidth, BATCH * hPad);

            String at = "rep " + rep + " (seed " + SEED + ", time gate " + timeGate + ")";
            assertSame("dz, " + at, scalar.dz, vector.dz, !timeGate);
            assertSame("dL/dh_{t-1}, " + at, scalar.dh, vector.dh, !timeGate);
            assertSame("dL/dc_{t-1}, " + at, scalar.dc, vector.dc, !timeGate);
            if (timeGate) {
                assertSame("dL/dk, " + at, scalar.dk, vector.dk, false);
            }
        }
    }

    /** Copies of what one backward wrote. */
    private record Outputs(float[] dz, float[] dk, float[] dh, float[] dc) {
        static Outputs of(SimdWorkspace ws, SimdWorkspace.Worker s, int dzFrom, int dzLength, int stateLength) {
            return new Outputs(Arrays.copyOfRange(s.dz, dzFrom, dzFrom + dzLength), Arrays.copyOf(s.dk, stateLength),
                    Arrays.copyOf(ws.dhN, stateLength), Arrays.copyOf(ws.dcN, stateLength));
        }
    }

    /** Bit for bit, NaNs as one value; with {@code zerosAsOne}, 0 and -0 as one value too. */
    private static void assertSame(String what, float[] expected, float[] actual, boolean zerosAsOne) {
        for (int j = 0; j < expected.length; j++) {
            float e = expected[j];
            float a = actual[j];
            if (zerosAsOne && e == 0f && a == 0f) {
                continue;
            }
            assertThat(Float.floatToIntBits(a)).as("%s, element %d: expected %s, got %s", what, j, e, a)
                    .isEqualTo(Float.floatToIntBits(e));
        }
    }
}
