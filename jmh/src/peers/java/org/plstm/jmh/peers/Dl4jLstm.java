package org.plstm.jmh.peers;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deeplearning4j's LSTM layer (ND4J CPU backend, float32) on our weights: a one-layer
 * {@code MultiLayerNetwork}, batch-major ({@code RNNFormat.NWC}, {@code [B][T][I]} as ours).
 *
 * <p>Without peepholes it is DL4J's {@code LSTM} layer; with peepholes, {@code GravesLSTM} (deprecated, but the
 * one DL4J layer with peepholes; its output gate peeps at the new cell state, as ours).
 *
 * <p>Layout conversion: DL4J's parameters are {@code W [I][4H]}, {@code RW [H][4H]} ({@code GravesLSTM}:
 * {@code [H][4H+3]}, the last three columns the peepholes of forget, output and input gate, in that order) and
 * {@code b [1][4H]}, gate blocks in the order "block input" {@code g} (tanh), forget {@code f}, output
 * {@code o}, input {@code i} ("input modulation gate") ({@link GateOrder#GFOI}; DL4J {@code LSTMHelpers}).
 *
 * <p>Backward: {@link #backward} gives {@code dx} and the parameter gradients for zero initial state and a
 * gradient per output step; DL4J's layer API takes no gradient w.r.t. the final cell state and returns none
 * w.r.t. the initial state. Not thread-safe.
 */
public final class Dl4jLstm {
    private final int in;
    private final int hs;
    private final boolean peepholes;
    private final MultiLayerNetwork net;
    private final LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();

    /**
     * @param w weights in our layout
     */
    public Dl4jLstm(LstmWeights w) {
        this.in = w.inputSize();
        this.hs = w.hiddenSize();
        this.peepholes = w.peepholes();
        int g4 = 4 * hs;
        org.deeplearning4j.nn.conf.layers.Layer layer = peepholes
                ? new GravesLSTM.Builder().nIn(in).nOut(hs).activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID).dataFormat(RNNFormat.NWC).build()
                : new LSTM.Builder().nIn(in).nOut(hs).activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID).dataFormat(RNNFormat.NWC).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .seed(1)
                .list()
                .layer(layer)
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();

        GateOrder order = GateOrder.GFOI;
        float[] rw = order.fromOurs(w.recurrentKernel(), hs, hs);
        long rwCols = g4;
        if (peepholes) {
            // GravesLSTM: RW [H][4H+3], columns 4H, 4H+1, 4H+2 = peepholes of f, o, i (ours: rows i, f, o).
            rwCols = g4 + 3;
            float[] wide = new float[hs * (g4 + 3)];
            for (int r = 0; r < hs; r++) {
                System.arraycopy(rw, r * g4, wide, r * (g4 + 3), g4);
                wide[r * (g4 + 3) + g4] = w.peephole()[hs + r];
                wide[r * (g4 + 3) + g4 + 1] = w.peephole()[2 * hs + r];
                wide[r * (g4 + 3) + g4 + 2] = w.peephole()[r];
            }
            rw = wide;
        }
        Layer l = net.getLayer(0);
        l.setParam("W", Nd4j.create(order.fromOurs(w.kernel(), in, hs), new long[] {in, g4}, 'c'));
        l.setParam("RW", Nd4j.create(rw, new long[] {hs, rwCols}, 'c'));
        l.setParam("b", Nd4j.create(order.fromOurs(w.bias(), 1, hs), new long[] {1, g4}, 'c'));
    }

    /**
     * Sets ND4J's thread counts for this process: OpenMP threads of native ops ({@code Environment.setMaxThreads}),
     * the "master" threads ({@code setMaxMasterThreads}) and OpenBLAS' threads. {@code OMP_NUM_THREADS} is read
     * once at start; this is the run-time equivalent.
     *
     * @param threads thread count
     */
    public static void setThreads(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /**
     * Inference over a batch from zero initial state ({@code MultiLayerNetwork.output}).
     *
     * @param x     {@code [B][T][I]}
     * @param batch {@code B}
     * @param steps {@code T}
     * @return {@code h [B][T][H]}
     */
    public float[] output(float[] x, int batch, int steps) {
        INDArray out = net.output(Nd4j.create(x, new long[] {batch, steps, in}, 'c'));
        return out.dup('c').data().asFloat();
    }

    /**
     * Forward from a given initial state ({@code rnnSetPreviousState} + {@code rnnTimeStep}).
     *
     * @param x     {@code [B][T][I]}
     * @param h0    {@code [B][H]} or {@code null}
     * @param c0    {@code [B][H]} or {@code null}
     * @param batch {@code B}
     * @param steps {@code T}
     * @return {@code h [B][T][H]}, {@code hT}, {@code cT}
     */
    public LstmResult forward(float[] x, float[] h0, float[] c0, int batch, int steps) {
        net.rnnClearPreviousState();
        Map<String, INDArray> state = new HashMap<>();
        state.put(org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_ACTIVATION,
                Nd4j.create(h0 == null ? new float[batch * hs] : h0, new long[] {batch, hs}, 'c'));
        state.put(org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_MEMCELL,
                Nd4j.create(c0 == null ? new float[batch * hs] : c0, new long[] {batch, hs}, 'c'));
        net.rnnSetPreviousState(0, state);
        INDArray out = net.rnnTimeStep(Nd4j.create(x, new long[] {batch, steps, in}, 'c'));
        Map<String, INDArray> last = net.rnnGetPreviousState(0);
        float[] h = out.dup('c').data().asFloat();
        float[] hT = last.get(org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_ACTIVATION).dup('c')
                .data().asFloat();
        float[] cT = last.get(org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_MEMCELL).dup('c')
                .data().asFloat();
        net.rnnClearPreviousState();
        return new LstmResult(h, hT, cT);
    }

    /**
     * Forward and backward through the layer ({@code Layer.backpropGradient}, which runs its own training
     * forward pass first) from zero initial state.
     *
     * @param x     {@code [B][T][I]}
     * @param dh    {@code dL/dh_t [B][T][H]}
     * @param batch {@code B}
     * @param steps {@code T}
     * @return {@code dx} and parameter gradients in our layout; {@code dh0}, {@code dc0} are {@code null}
     */
    public LstmGradients backward(float[] x, float[] dh, int batch, int steps) {
        Layer l = net.getLayer(0);
        l.setInput(Nd4j.create(x, new long[] {batch, steps, in}, 'c'), mgr);
        Pair<Gradient, INDArray> p = l.backpropGradient(Nd4j.create(dh, new long[] {batch, steps, hs}, 'c'), mgr);
        Gradient g = p.getFirst();
        GateOrder order = GateOrder.GFOI;
        int g4 = 4 * hs;
        float[] dW = g.getGradientFor("W").dup('c').data().asFloat();
        float[] dRW = g.getGradientFor("RW").dup('c').data().asFloat();
        float[] dB = g.getGradientFor("b").dup('c').data().asFloat();
        float[] dPeep = null;
        if (peepholes) {
            float[] narrow = new float[hs * g4];
            dPeep = new float[3 * hs];
            for (int r = 0; r < hs; r++) {
                System.arraycopy(dRW, r * (g4 + 3), narrow, r * g4, g4);
                dPeep[hs + r] = dRW[r * (g4 + 3) + g4];
                dPeep[2 * hs + r] = dRW[r * (g4 + 3) + g4 + 1];
                dPeep[r] = dRW[r * (g4 + 3) + g4 + 2];
            }
            dRW = narrow;
        }
        float[] dx = p.getSecond().dup('c').data().asFloat();
        return new LstmGradients(dx, null, null, order.toOurs(dW, in, hs), order.toOurs(dRW, hs, hs),
                order.toOurs(dB, 1, hs), dPeep);
    }
}
