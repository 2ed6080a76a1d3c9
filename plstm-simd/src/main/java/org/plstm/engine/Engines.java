package org.plstm.engine;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import org.plstm.Check;
import org.plstm.Engine;
import org.plstm.reference.ReferenceEngine;

/**
 * The one place that picks an {@link Engine}. The SIMD engine ({@code org.plstm.simd.SimdEngine}) is chosen when
 * the module {@code jdk.incubator.vector} is readable (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}), else the scalar reference, and one log line (logger
 * {@code org.plstm}) says which and why: INFO for SIMD with its vector width and lanes, WARNING for the fallback
 * with the fix.
 *
 * <p>The system property {@value #BACKEND_PROPERTY} ({@code simd}, {@code reference} or {@code auto}, the default)
 * forces a choice; forcing {@code simd} where the Vector API cannot load throws instead of falling back. The
 * property {@value #THREADS_PROPERTY} sets the default thread count (default: available processors).
 */
public final class Engines {
    /** System property that forces the backend: {@code simd}, {@code reference} or {@code auto}. */
    public static final String BACKEND_PROPERTY = "plstm.backend";
    /** System property with the default number of threads of the SIMD engine. */
    public static final String THREADS_PROPERTY = "plstm.threads";
    /** The fix to print when the Vector API is missing. */
    public static final String VECTOR_FIX = "add --add-modules jdk.incubator.vector to the java command line";

    private static final System.Logger LOG = System.getLogger("org.plstm");
    private static final String SIMD_CLASS = "org.plstm.simd.SimdEngine";

    private Engines() {
    }

    /** @return true if {@code jdk.incubator.vector} is in the boot layer, so the SIMD engine can load */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * The best engine per {@value #BACKEND_PROPERTY} and availability, with the default thread count; logs one line.
     *
     * @return a new engine (close it when done)
     * @throws IllegalStateException if {@code simd} is forced but the Vector API is not readable
     * @throws IllegalArgumentException if a property has an invalid value
     */
    public static Engine create() {
        return create(System.getProperty(BACKEND_PROPERTY, "auto"), defaultThreads());
    }

    /**
     * An engine by name; logs one line saying which and why.
     *
     * @param backend {@code simd}, {@code reference} or {@code auto} (case-insensitive)
     * @param threads worker threads for the SIMD engine, {@code >= 1} (the reference is single-threaded)
     * @return a new engine
     * @throws IllegalArgumentException on an unknown backend or {@code threads < 1}
     * @throws IllegalStateException if {@code simd} is requested but {@code jdk.incubator.vector} is not readable
     */
    public static Engine create(String backend, int threads) {
        Check.atLeast("threads", threads, 1);
        String b = backend == null ? "auto" : backend.trim().toLowerCase(Locale.ROOT);
        switch (b) {
            case "reference" -> {
                LOG.log(System.Logger.Level.INFO, "plstm: reference engine (scalar, double precision): requested");
                return new ReferenceEngine();
            }
            case "simd" -> {
                if (!vectorApiAvailable()) {
                    throw new IllegalStateException("plstm: the SIMD engine was requested but the module "
                            + "jdk.incubator.vector is not readable: " + VECTOR_FIX);
                }
                Engine e = newSimd(threads);
                LOG.log(System.Logger.Level.INFO, "plstm: " + e.description() + ": requested");
                return e;
            }
            case "auto" -> {
                if (vectorApiAvailable()) {
                    Engine e = newSimd(threads);
                    LOG.log(System.Logger.Level.INFO, "plstm: " + e.description()
                            + ": jdk.incubator.vector is readable");
                    return e;
                }
                LOG.log(System.Logger.Level.WARNING, "plstm: reference engine (scalar, much slower): "
                        + "jdk.incubator.vector is not readable; " + VECTOR_FIX);
                return new ReferenceEngine();
            }
            default -> throw new IllegalArgumentException("backend: expected simd, reference or auto, got "
                    + backend);
        }
    }

    /**
     * @return the value of {@value #THREADS_PROPERTY}, or the number of available processors
     * @throws IllegalArgumentException if the property is not an integer {@code >= 1}
     */
    public static int defaultThreads() {
        String p = System.getProperty(THREADS_PROPERTY);
        if (p == null || p.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            return Check.atLeast(THREADS_PROPERTY, Integer.parseInt(p.trim()), 1);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + ": expected an integer >= 1, got " + p);
        }
    }

    private static Engine newSimd(int threads) {
        try {
            // Reflection keeps this class free of links to the Vector API, so it loads without the module.
            return (Engine) Class.forName(SIMD_CLASS).getConstructor(int.class).newInstance(threads);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("plstm: the SIMD engine failed to start: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("plstm: the SIMD engine could not be loaded (" + e + "); " + VECTOR_FIX, e);
        }
    }
}
