package org.plstm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.plstm.Engine;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.TimeGateInit;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.simd.SimdEngine;
import org.plstm.simd.StreamLayer;

/**
 * The one backend choice. Surefire runs this class in several JVMs (plstm-simd/pom.xml), each telling it what to
 * expect with {@code plstm.test.expectBackend}: {@code simd} (default: the vector module is readable),
 * {@code reference} (run with {@code -Dplstm.backend=reference}, without the vector module, and with vectors too
 * narrow for the kernels, {@code -XX:MaxVectorSize=8}), {@code error} ({@code -Dplstm.backend=simd} without the
 * vector module: every entry point must refuse, never fall back). So CI
 * fails if SIMD silently fell back, or a forced backend was ignored by any entry point. This class must not touch
 * Vector API classes itself.
 */
class BackendSelectionTest {
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        Logger.getLogger("org.plstm").addHandler(capture);
        Backend.forgetLogged(); // each test sees the line its choice logs
    }

    @AfterEach
    void stop() {
        Logger.getLogger("org.plstm").removeHandler(capture);
    }

    private static String expected() {
        return System.getProperty("plstm.test.expectBackend", "simd");
    }

    private static PhasedLstmModel model() {
        PhasedLstmParams p = PhasedLstmParams.initialize(PhasedLstmConfig.builder(2, 5).build(), TimeGateInit.KERAS, 1);
        return PhasedLstmModel.of(List.of(p), null);
    }

    @Test
    void everyEntryPointRunsTheOneBackend() {
        if (expected().equals("error")) {
            assertThatThrownBy(Backend::get).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("plstm: the SIMD backend was requested (plstm.backend=simd) but "
                            + "jdk.incubator.vector is not readable");
            assertThatThrownBy(BackendSelectionTest::model).isInstanceOf(IllegalStateException.class);
            return;
        }
        Backend b = Backend.get();
        assertThat(logged).as("the first use in this JVM (if it was) logged one line").hasSizeLessThanOrEqualTo(1);
        logged.clear();
        assertThat(b.name()).isEqualTo(expected());
        assertThat(Backend.get()).as("chosen once").isSameAs(b);
        try (Engine e = b.newEngine(2)) {
            assertThat(e.name()).isEqualTo(expected());
        }
        assertThat(b.sharedEngine().name()).isEqualTo(expected());
        PhasedLstmModel m = model();
        assertThat(m.backend()).as("batched and streaming inference").isEqualTo(expected());
        // The streaming kernel of each layer comes from the same backend.
        LayerStream stream = b.newStream(m.layer(0));
        assertThat(stream.getClass().getSimpleName()).isEqualTo(expected().equals("simd") ? "StreamLayer"
                : "ReferenceStream");
        assertThat(m.newSession().step(new float[] {0.5f, -0.5f}, 1.0)).hasSize(5);
        assertThat(logged).as("a model logs nothing of its own").isEmpty();
    }

    @Test
    void theChoiceSaysWhichAndWhyInOneLine() {
        // What "auto" gives in this JVM, whatever plstm.backend forces: simd, or the reference without the module or
        // with vectors too narrow for the kernels (plstm.test.expectAuto = simd | no-module | narrow).
        String auto = System.getProperty("plstm.test.expectAuto", Backend.vectorModuleReadable() ? "simd" : "no-module");
        Backend b = Backend.choose("auto", null);
        assertThat(logged).hasSize(1);
        String line = logged.get(0).getMessage();
        switch (auto) {
            case "simd" -> {
                assertThat(b.name()).isEqualTo("simd");
                assertThat(line).matches("plstm: simd backend \\(Vector API: .*\\d+-bit.*\\): jdk.incubator.vector is "
                        + "readable");
                assertThat(logged.get(0).getLevel()).isEqualTo(java.util.logging.Level.INFO);
            }
            case "no-module" -> {
                assertThat(b.name()).isEqualTo("reference");
                assertThat(line).isEqualTo("plstm: reference backend (scalar, double precision), much slower: "
                        + "jdk.incubator.vector is not readable; add --add-modules jdk.incubator.vector to the java "
                        + "command line");
                assertThat(logged.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            }
            case "narrow" -> {
                assertThat(b.name()).isEqualTo("reference");
                assertThat(line).isEqualTo("plstm: reference backend (scalar, double precision), much slower: the "
                        + "Vector API's preferred vectors are 64 bits wide, the SIMD kernels need at least 128 (is "
                        + "-XX:MaxVectorSize below 16?)");
                assertThat(logged.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            }
            default -> throw new AssertionError(auto);
        }
    }

    @Test
    void eachChoiceIsLoggedOncePerProcess() {
        Backend.named("reference");
        Backend.named("reference");
        Backend.named("Reference");
        Backend.choose("auto", null);
        Backend.choose("auto", null);
        assertThat(logged).as("one line per distinct choice, however many engines and models ask").hasSize(2);
    }

    @Test
    void forcingReferenceAlwaysWorks() {
        Backend b = Backend.named("REFERENCE");
        assertThat(b.name()).isEqualTo("reference");
        try (Engine e = b.newEngine(4)) {
            assertThat(e.name()).isEqualTo("reference");
            assertThat(e.threads()).isEqualTo(1);
        }
        assertThat(logged).hasSize(1);
        assertThat(logged.get(0).getMessage()).isEqualTo("plstm: reference backend (scalar, double precision): "
                + "Backend.named(\"reference\")");
    }

    @Test
    void forcingSimdEitherWorksOrNamesTheFix() {
        if (System.getProperty("plstm.test.expectAuto", "").equals("narrow")) {
            assertThatThrownBy(() -> Backend.named("simd")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the SIMD kernels need at least 128");
        } else if (Backend.vectorModuleReadable()) {
            try (Engine e = Backend.named("simd").newEngine(3)) {
                assertThat(e.name()).isEqualTo("simd");
                assertThat(e.threads()).isEqualTo(3);
            }
        } else {
            assertThatThrownBy(() -> Backend.named("simd")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("plstm: the SIMD backend was requested (Backend.named(\"simd\")) but jdk.incubator.vector is not "
                            + "readable; add --add-modules jdk.incubator.vector to the java command line");
        }
    }

    @Test
    void theSimdClassesThemselvesRefuseAJvmThatCannotRunThem() {
        PhasedLstmParams p = PhasedLstmParams.initialize(PhasedLstmConfig.builder(2, 3).build(), TimeGateInit.PAPER,
                1);
        String fallback = " (or use Backend.get(), which falls back to the reference engine)";
        if (System.getProperty("plstm.test.expectAuto", "").equals("narrow")) {
            assertThatThrownBy(() -> new SimdEngine(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("plstm: SimdEngine needs the SIMD kernels, but the Vector API's preferred "
                            + "vectors are").hasMessageEndingWith(fallback);
            assertThatThrownBy(() -> new StreamLayer(p)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("StreamLayer needs the SIMD kernels").hasMessageEndingWith(fallback);
        } else if (!Backend.vectorModuleReadable()) {
            String noModule = " needs the SIMD kernels, but jdk.incubator.vector is not readable; add --add-modules "
                    + "jdk.incubator.vector to the java command line" + fallback;
            assertThatThrownBy(() -> new SimdEngine(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("plstm: SimdEngine" + noModule);
            assertThatThrownBy(SimdEngine::new).isInstanceOf(IllegalStateException.class)
                    .hasMessage("plstm: SimdEngine" + noModule);
            assertThatThrownBy(SimdEngine::vectorBitSize).isInstanceOf(IllegalStateException.class)
                    .hasMessage("plstm: SimdEngine.vectorBitSize" + noModule);
            assertThatThrownBy(SimdEngine::floatLanes).isInstanceOf(IllegalStateException.class)
                    .hasMessage("plstm: SimdEngine.floatLanes" + noModule);
            // StreamLayer's own code holds vectors, so without the module it cannot even be linked (its Javadoc
            // says so and points to Backend.get().newStream, which checks first).
        } else {
            try (SimdEngine e = new SimdEngine(1)) {
                assertThat(e.name()).isEqualTo("simd");
            }
            assertThat(new StreamLayer(p).config().hiddenSize()).isEqualTo(3);
        }
    }

    @Test
    void threadsPropertySetsTheDefault() {
        String old = System.getProperty(Backend.THREADS_PROPERTY);
        try {
            System.setProperty(Backend.THREADS_PROPERTY, "3");
            assertThat(Backend.defaultThreads()).isEqualTo(3);
            System.setProperty(Backend.THREADS_PROPERTY, "zero");
            assertThatThrownBy(Backend::defaultThreads).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("plstm.threads: expected an integer in [1, 1024], got 'zero'");
            System.setProperty(Backend.THREADS_PROPERTY, "0");
            assertThatThrownBy(Backend::defaultThreads).hasMessage("plstm.threads: expected an integer in [1, 1024], got 0");
            // far more threads than any machine has processors would start that many platform threads: refused
            System.setProperty(Backend.THREADS_PROPERTY, "100000");
            assertThatThrownBy(Backend::defaultThreads).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("plstm.threads: expected an integer in [1, 1024], got 100000");
            System.setProperty(Backend.THREADS_PROPERTY, " ");
            assertThat(Backend.defaultThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        } finally {
            if (old == null) {
                System.clearProperty(Backend.THREADS_PROPERTY);
            } else {
                System.setProperty(Backend.THREADS_PROPERTY, old);
            }
        }
    }

    @Test
    void badNamesAreRejected() {
        assertThatThrownBy(() -> Backend.named("gpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backend: expected simd, reference or auto, got 'gpu'");
        if (!expected().equals("error")) {
            assertThatThrownBy(() -> Backend.get().newEngine(0))
                    .hasMessage("threads: expected an integer in [1, 1024], got 0");
            assertThatThrownBy(() -> Backend.get().newEngine(Backend.MAX_THREADS + 1))
                    .hasMessage("threads: expected an integer in [1, 1024], got 1025");
        }
    }
}
