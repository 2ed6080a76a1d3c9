package org.plstm.optim;

import java.util.List;
import org.plstm.Check;
import org.plstm.Tensor;

/** Gradient clipping by global norm (as Keras' {@code global_clipnorm} / TensorFlow's {@code clip_by_global_norm}). */
public final class GradientClipping {
    private GradientClipping() {
    }

    /**
     * The global L2 norm {@code sqrt(sum over tensors of sum g²)}, accumulated in double.
     *
     * @param grads gradients
     * @return the norm
     */
    public static double globalNorm(List<Tensor> grads) {
        double sum = 0;
        for (Tensor t : grads) {
            for (float g : t.data()) {
                sum += (double) g * g;
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales every gradient by {@code maxNorm / max(globalNorm, maxNorm)}, so the global norm is at most
     * {@code maxNorm}.
     *
     * @param grads   gradients, scaled in place
     * @param maxNorm the bound, {@code > 0}
     * @return the global norm before clipping
     * @throws IllegalArgumentException if {@code maxNorm} is not a finite positive number
     */
    public static double clipByGlobalNorm(List<Tensor> grads, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm: expected a finite value > 0, got " + maxNorm);
        }
        Check.notNull("grads", grads);
        double norm = globalNorm(grads);
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (Tensor t : grads) {
                float[] d = t.data();
                for (int n = 0; n < d.length; n++) {
                    d[n] *= scale;
                }
            }
        }
        return norm;
    }
}
