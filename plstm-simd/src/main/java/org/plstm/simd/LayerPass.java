package org.plstm.simd;

import org.plstm.SequenceBatch;

/**
 * The arguments of one forward or backward call, handed to every worker: immutable, made once per call (the
 * per-step kernels allocate nothing).
 *
 * @param stage       which part of the layer the workers run
 * @param ws          the workspace (buffers, packed parameters)
 * @param input       the batch
 * @param alpha       the leak of a closed time gate ({@code Mode.alpha})
 * @param vectorPhase whether the exact vector phase reduction may be used for every timestamp of the batch
 * @param h0          forward: initial hidden state {@code [B][H]} or null
 * @param c0          forward: initial cell state or null
 * @param cache       forward: whether the training caches (gate values, tanh(c~)) are written
 * @param rerun       forward: the initial state is already in slot 0 (a re-run to fill the caches)
 * @param dh          backward: {@code dL/dh_t [B][T][H]} or null
 * @param dhT         backward: {@code dL/dh_T [B][H]} or null
 * @param dcT         backward: {@code dL/dc_T [B][H]} or null
 */
record LayerPass(Stage stage, SimdWorkspace ws, SequenceBatch input, double alpha, boolean vectorPhase, float[] h0,
                 float[] c0, boolean cache, boolean rerun, float[] dh, float[] dhT, float[] dcT)
        implements WorkerPool.Job {

    /** What the workers run. */
    enum Stage {
        FORWARD, BACKWARD, WEIGHT_GRADIENTS
    }

    static LayerPass forward(SimdWorkspace ws, SequenceBatch input, double alpha, boolean vectorPhase, float[] h0,
                             float[] c0, boolean cache, boolean rerun) {
        return new LayerPass(Stage.FORWARD, ws, input, alpha, vectorPhase, h0, c0, cache, rerun, null, null, null);
    }

    static LayerPass backward(SimdWorkspace ws, SequenceBatch input, double alpha, boolean vectorPhase, float[] dh,
                              float[] dhT, float[] dcT) {
        return new LayerPass(Stage.BACKWARD, ws, input, alpha, vectorPhase, null, null, false, false, dh, dhT, dcT);
    }

    /** @return this call's weight-gradient stage (after the backward recurrence, for large layers) */
    LayerPass weightGradients() {
        return new LayerPass(Stage.WEIGHT_GRADIENTS, ws, input, alpha, vectorPhase, null, null, false, false, null,
                null, null);
    }

    @Override
    public void run(int worker, int workers) {
        if (stage == Stage.WEIGHT_GRADIENTS) {
            WeightGradients.run(this, worker, workers);
            return;
        }
        if (worker >= ws.parts) {
            return;
        }
        try {
            if (stage == Stage.FORWARD) {
                LayerForward.run(this, worker);
            } else {
                LayerBackward.run(this, worker);
            }
        } catch (RuntimeException | Error e) {
            if (ws.barrier != null) {
                ws.barrier.breakAll(); // the other parts would wait for this one forever
            }
            throw e;
        }
    }
}
