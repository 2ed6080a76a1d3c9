/**
 * The Vector API engine ({@link org.plstm.simd}), the backend choice ({@link org.plstm.engine}), optimisers
 * ({@link org.plstm.optim}), training ({@link org.plstm.train}), checkpoints ({@link org.plstm.io}), and inference
 * and event-driven streaming ({@link org.plstm.inference}), and reading your own event data from CSV
 * ({@link org.plstm.data}).
 *
 * <p>{@code jdk.incubator.vector} is optional at run time ({@code requires static}): launch with
 * {@code --add-modules jdk.incubator.vector} for the SIMD kernels; without it the backend falls back to the
 * reference and logs one warning. Jackson reads and writes checkpoint metadata, and its CSV module reads event
 * files; {@code jdk.management} gives the JVM's CPU flags ({@code UseAVX}, {@code UseFMA}) that pick the instruction
 * level.
 */
module org.plstm.simd {
    requires transitive org.plstm.reference;
    requires static jdk.incubator.vector;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.csv;
    requires java.management;
    requires jdk.management;
    exports org.plstm.data;
    exports org.plstm.engine;
    exports org.plstm.inference;
    exports org.plstm.io;
    exports org.plstm.optim;
    exports org.plstm.simd;
    exports org.plstm.train;
}
