package org.plstm.simd;

import org.plstm.Check;
import org.plstm.Engine;
import org.plstm.PhasedLstmParams;
import org.plstm.engine.Backend;
import org.plstm.engine.LayerStream;

/**
 * The SIMD kernels as a {@link Backend}: {@link SimdEngine} for training and batched inference, {@link StreamLayer}
 * for streaming. Loaded by {@link Backend#get()} through reflection, after it checked that the vector module is
 * readable; {@link #unusableReason()} then says whether this JVM's vectors can run the kernels. Use
 * {@link Backend#get()} rather than this class.
 */
public final class SimdBackend extends Backend {
    /** The instance {@link Backend} loads. */
    public static final SimdBackend INSTANCE = new SimdBackend();

    private SimdBackend() {
    }

    /**
     * @return null if the kernels can run here, else why not and what to do (vectors narrower than 128 bits, e.g.
     *     {@code -XX:MaxVectorSize=8})
     */
    public static String unusableReason() {
        if (VectorLevel.usable()) {
            return null;
        }
        return "the Vector API's preferred vectors are " + VectorLevel.vectorBitSize() + " bits wide, the SIMD "
                + "kernels need at least 128 (is -XX:MaxVectorSize below 16?)";
    }

    /**
     * The check of the SIMD kernels' public entry points ({@link SimdEngine}, {@link StreamLayer}), made directly
     * rather than through {@link Backend#get()}: without it they would fail on first use with a
     * {@code NoClassDefFoundError} (no vector module) or run on vectors the kernels do not support.
     *
     * @param who the entry point, named in the message
     * @throws IllegalStateException if this JVM cannot run the kernels, with the reason and the fix
     */
    static void require(String who) {
        requireModule(who);
        String reason = unusableReason();
        if (reason != null) {
            throw new IllegalStateException("plstm: " + who + " needs the SIMD kernels, but " + reason
                    + " (or use Backend.get(), which falls back to the reference engine)");
        }
    }

    /**
     * The vector module half of {@link #require}: what a query of the vectors ({@link SimdEngine#vectorBitSize()})
     * needs.
     *
     * @param who the entry point, named in the message
     * @throws IllegalStateException if {@code jdk.incubator.vector} is not readable, with the fix
     */
    static void requireModule(String who) {
        if (!Backend.vectorModuleReadable()) {
            throw new IllegalStateException("plstm: " + who + " needs the SIMD kernels, but jdk.incubator.vector is "
                    + "not readable; " + Backend.VECTOR_FIX + " (or use Backend.get(), which falls back to the "
                    + "reference engine)");
        }
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public String description() {
        return "simd backend (Vector API: " + VectorLevel.describe() + ")";
    }

    @Override
    public Engine newEngine(int threads) {
        return new SimdEngine(threads);
    }

    /** An engine whose {@code close()} does nothing: the process-wide {@link Backend#sharedEngine()}. */
    @Override
    protected Engine newSharedEngine(int threads) {
        return new SimdEngine(threads, true);
    }

    @Override
    public LayerStream newStream(PhasedLstmParams layer) {
        Check.notNull("layer", layer);
        return new StreamLayer(layer);
    }
}
