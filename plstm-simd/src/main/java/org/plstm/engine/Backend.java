package org.plstm.engine;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import org.plstm.Engine;
import org.plstm.PhasedLstmParams;

/**
 * A compute backend: the SIMD kernels on the JDK Vector API, or the scalar reference. It gives both the training
 * {@link Engine} and the per-layer kernels of streaming inference ({@link LayerStream}), so everything a process
 * runs uses one backend.
 *
 * <p>{@link #get()} is the one place that chooses, once per process (holder idiom), from the system property
 * {@value #PROPERTY} ({@code auto}, the default, {@code simd} or {@code reference}) and from what this JVM can run:
 * SIMD when the module {@code jdk.incubator.vector} is readable (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}) and its vectors are at least 128 bits wide, else the reference. It logs
 * one line (logger {@code org.plstm}): INFO for SIMD with the instruction level it runs at, or WARNING for the
 * fallback with the reason and the fix. Forcing {@code simd} where it cannot run is an error, never a silent
 * fallback: {@link #get()} then throws {@link IllegalStateException} every time it is asked. {@link #named} selects
 * explicitly (for a command-line option) under the same rules.
 *
 * <p>Backends are immutable and thread-safe. {@link #sharedEngine()} is a process-wide engine for inference that is
 * never closed (its worker threads are daemon threads), like the common fork-join pool.
 */
public abstract class Backend {
    /** System property that forces the backend: {@code simd}, {@code reference} or {@code auto}. */
    public static final String PROPERTY = "plstm.backend";
    /** System property with the default number of threads of a SIMD engine. */
    public static final String THREADS_PROPERTY = "plstm.threads";
    /**
     * The most worker threads an engine takes ({@value}): each is a platform thread, and far more than the machine's
     * processors only adds synchronisation (one barrier per step).
     */
    public static final int MAX_THREADS = 1024;
    /** The fix to print when the Vector API is missing. */
    public static final String VECTOR_FIX = "add --add-modules jdk.incubator.vector to the java command line";

    static final System.Logger LOG = System.getLogger("org.plstm");
    private static final String SIMD_CLASS = "org.plstm.simd.SimdBackend";

    private volatile Engine shared;

    /** For the two implementations in this library. */
    protected Backend() {
    }

    /** @return {@code "simd"} or {@code "reference"} */
    public abstract String name();

    /** @return one line: the implementation and, for SIMD, the instruction level and vector width */
    public abstract String description();

    /**
     * A new engine; close it when done (it may own worker threads).
     *
     * @param threads worker threads, in {@code [1, }{@value #MAX_THREADS}{@code ]} (the reference is
     *                single-threaded and ignores it)
     * @return the engine
     * @throws IllegalArgumentException if {@code threads} is outside {@code [1, }{@value #MAX_THREADS}{@code ]}
     */
    public abstract Engine newEngine(int threads);

    /**
     * @return a new engine with {@link #defaultThreads()} threads
     * @throws IllegalArgumentException if {@value #THREADS_PROPERTY} is not an integer in
     *                                  {@code [1, }{@value #MAX_THREADS}{@code ]}
     */
    public final Engine newEngine() {
        return newEngine(defaultThreads());
    }

    /**
     * One layer packed for streaming inference (one event at a time, leak 0).
     *
     * @param layer the layer's parameters (copied)
     * @return the packed layer, immutable and thread-safe
     * @throws IllegalArgumentException if {@code layer} is null or invalid
     */
    public abstract LayerStream newStream(PhasedLstmParams layer);

    /**
     * The process-wide inference engine of this backend ({@link #defaultThreads()} threads), made on first use and
     * never closed: its {@link Engine#close() close()} does nothing (as shutting the common fork-join pool down does
     * nothing), so a caller that closes it, e.g. in a try-with-resources block, does not stop the models that share
     * it. Calls on it are serialised, so a caller that predicts from many threads at once may prefer engines of its
     * own.
     *
     * @return the engine
     * @throws IllegalArgumentException if {@value #THREADS_PROPERTY} is not an integer in
     *     {@code [1, }{@value #MAX_THREADS}{@code ]} when the engine is first made ({@link #defaultThreads()})
     */
    public final Engine sharedEngine() {
        Engine e = shared;
        if (e == null) {
            synchronized (this) {
                e = shared;
                if (e == null) {
                    e = newSharedEngine(defaultThreads());
                    shared = e;
                }
            }
        }
        return e;
    }

    /**
     * The engine {@link #sharedEngine()} hands out: one whose {@link Engine#close() close()} does nothing. This
     * default is {@link #newEngine(int)}, for backends whose engines own no threads (closing them does nothing).
     *
     * @param threads worker threads, as {@link #newEngine(int)}
     * @return the engine
     * @throws IllegalArgumentException as {@link #newEngine(int)}
     */
    protected Engine newSharedEngine(int threads) {
        return newEngine(threads);
    }

    @Override
    public String toString() {
        return description();
    }

    /**
     * The backend of this process, chosen on first use (see the class comment) and logged once.
     *
     * @return the backend
     * @throws IllegalStateException if {@value #PROPERTY} forces {@code simd} and this JVM cannot run it
     * @throws IllegalArgumentException if {@value #PROPERTY} has an unknown value
     */
    public static Backend get() {
        return Holder.get();
    }

    /**
     * A backend by name, for an explicit choice (a command-line option); logs one line, once per process and
     * name, when it differs from {@link #get()}'s or {@link #get()} was not used.
     *
     * @param name {@code simd}, {@code reference} or {@code auto} (case-insensitive; {@code auto}, null or blank is
     *             {@link #get()})
     * @return the backend
     * @throws IllegalArgumentException on an unknown name
     * @throws IllegalStateException if {@code simd} is asked for and this JVM cannot run it
     */
    public static Backend named(String name) {
        String n = normalize("backend", name);
        if (n.equals("auto")) {
            return get();
        }
        return choose(n, "Backend.named(\"" + n + "\")");
    }

    /** @return true if the module {@code jdk.incubator.vector} is in the boot layer */
    public static boolean vectorModuleReadable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * @return the value of {@value #THREADS_PROPERTY}, or the number of available processors when it is unset or
     *     blank
     * @throws IllegalArgumentException if the property is not an integer in {@code [1, }{@value #MAX_THREADS}{@code ]}
     */
    public static int defaultThreads() {
        String p = System.getProperty(THREADS_PROPERTY);
        if (p == null || p.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        int n;
        try {
            n = Integer.parseInt(p.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + ": expected an integer in [1, " + MAX_THREADS
                    + "], got '" + p + "'");
        }
        return checkThreads(THREADS_PROPERTY, n);
    }

    /**
     * @param name    the argument's name for the message
     * @param threads a thread count
     * @return {@code threads}
     * @throws IllegalArgumentException if it is outside {@code [1, }{@value #MAX_THREADS}{@code ]}
     */
    public static int checkThreads(String name, int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException(name + ": expected an integer in [1, " + MAX_THREADS + "], got "
                    + threads);
        }
        return threads;
    }

    private static String normalize(String what, String name) {
        String n = name == null || name.isBlank() ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        if (!n.equals("auto") && !n.equals("simd") && !n.equals("reference")) {
            throw new IllegalArgumentException(what + ": expected simd, reference or auto, got '" + name + "'");
        }
        return n;
    }

    /** The process-wide choice, made once; a failure to choose is remembered and rethrown. */
    private static final class Holder {
        private static final Backend BACKEND;
        private static final RuntimeException FAILURE;

        static {
            Backend b = null;
            RuntimeException f = null;
            try {
                b = choose(normalize(PROPERTY, System.getProperty(PROPERTY)), null);
            } catch (RuntimeException e) {
                f = e;
            }
            BACKEND = b;
            FAILURE = f;
        }

        static Backend get() {
            if (FAILURE instanceof IllegalStateException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            if (FAILURE instanceof IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            return BACKEND;
        }
    }

    /**
     * Chooses and logs. {@code why} is {@code Backend.named("…")} for {@link #named}, null for the process-wide
     * choice (which then says whether the property forced it).
     */
    static Backend choose(String name, String why) {
        String forced = why != null ? why : name.equals("auto") ? null : PROPERTY + "=" + name;
        if (name.equals("reference")) {
            Backend b = ReferenceBackend.INSTANCE;
            logOnce(System.Logger.Level.INFO, "plstm: " + b.description() + ": " + forced);
            return b;
        }
        String unavailable = simdUnavailable();
        if (unavailable == null) {
            Backend b = loadSimd();
            logOnce(System.Logger.Level.INFO, "plstm: " + b.description() + ": "
                    + (forced != null ? forced : "jdk.incubator.vector is readable"));
            return b;
        }
        if (name.equals("simd")) {
            throw new IllegalStateException("plstm: the SIMD backend was requested (" + forced + ") but " + unavailable);
        }
        Backend b = ReferenceBackend.INSTANCE;
        logOnce(System.Logger.Level.WARNING, "plstm: " + b.description() + ", much slower: " + unavailable);
        return b;
    }

    /** The lines already logged: each choice is logged once per process, however many engines and models use it. */
    private static final java.util.Set<String> LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** For tests: the next choice logs again. */
    static void forgetLogged() {
        LOGGED.clear();
    }

    private static void logOnce(System.Logger.Level level, String message) {
        if (LOGGED.add(message)) {
            LOG.log(level, message);
        }
    }

    /** @return why the SIMD backend cannot run here, with the fix, or null if it can */
    private static String simdUnavailable() {
        if (!vectorModuleReadable()) {
            return "jdk.incubator.vector is not readable; " + VECTOR_FIX;
        }
        try {
            Class<?> c = Class.forName(SIMD_CLASS);
            String reason = (String) c.getMethod("unusableReason").invoke(null);
            return reason;
        } catch (InvocationTargetException e) {
            return "the SIMD kernels failed to start (" + e.getCause() + ")";
        } catch (ReflectiveOperationException | LinkageError e) {
            return "the SIMD kernels could not be loaded (" + e + "); " + VECTOR_FIX;
        }
    }

    private static Backend loadSimd() {
        try {
            // Reflection keeps this class free of links to the Vector API, so it loads without the module.
            return (Backend) Class.forName(SIMD_CLASS).getField("INSTANCE").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("plstm: the SIMD backend could not be loaded (" + e + ")", e);
        }
    }
}
