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

/**
 * Backend selection. Surefire runs this class with the vector module (expect {@code simd}) and once more without
 * it (system property {@code plstm.test.expectBackend=reference}), so CI fails if SIMD silently fell back. This
 * class must not touch Vector API classes itself.
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
    }

    @AfterEach
    void stop() {
        Logger.getLogger("org.plstm").removeHandler(capture);
    }

    private static String expected() {
        return System.getProperty("plstm.test.expectBackend", "simd");
    }

    @Test
    void autoPicksTheExpectedBackendAndSaysWhy() {
        try (Engine e = Engines.create("auto", 2)) {
            assertThat(e.name()).isEqualTo(expected());
            assertThat(logged).hasSize(1);
            String line = logged.get(0).getMessage();
            if (expected().equals("simd")) {
                assertThat(Engines.vectorApiAvailable()).isTrue();
                assertThat(line).matches("plstm: simd \\(Vector API, \\d+-bit vectors, \\d+ float lanes, 2 threads\\): "
                        + "jdk.incubator.vector is readable");
                assertThat(logged.get(0).getLevel()).isEqualTo(java.util.logging.Level.INFO);
            } else {
                assertThat(Engines.vectorApiAvailable()).isFalse();
                assertThat(line).isEqualTo("plstm: reference engine (scalar, much slower): jdk.incubator.vector is "
                        + "not readable; add --add-modules jdk.incubator.vector to the java command line");
                assertThat(logged.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            }
        }
    }

    @Test
    void forcingReferenceAlwaysWorks() {
        try (Engine e = Engines.create("REFERENCE", 4)) {
            assertThat(e.name()).isEqualTo("reference");
            assertThat(e.threads()).isEqualTo(1);
        }
    }

    @Test
    void forcingSimdEitherWorksOrNamesTheFix() {
        if (expected().equals("simd")) {
            try (Engine e = Engines.create("simd", 3)) {
                assertThat(e.name()).isEqualTo("simd");
                assertThat(e.threads()).isEqualTo(3);
            }
        } else {
            assertThatThrownBy(() -> Engines.create("simd", 2)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("plstm: the SIMD engine was requested but the module jdk.incubator.vector is not "
                            + "readable: add --add-modules jdk.incubator.vector to the java command line");
        }
    }

    @Test
    void systemPropertiesChooseBackendAndThreads() {
        String oldBackend = System.getProperty(Engines.BACKEND_PROPERTY);
        String oldThreads = System.getProperty(Engines.THREADS_PROPERTY);
        try {
            System.setProperty(Engines.BACKEND_PROPERTY, "reference");
            try (Engine e = Engines.create()) {
                assertThat(e.name()).isEqualTo("reference");
            }
            System.clearProperty(Engines.BACKEND_PROPERTY);
            System.setProperty(Engines.THREADS_PROPERTY, "3");
            assertThat(Engines.defaultThreads()).isEqualTo(3);
            System.setProperty(Engines.THREADS_PROPERTY, "zero");
            assertThatThrownBy(Engines::defaultThreads).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("plstm.threads: expected an integer >= 1, got zero");
            System.setProperty(Engines.THREADS_PROPERTY, "0");
            assertThatThrownBy(Engines::defaultThreads).hasMessage("plstm.threads: expected >= 1, got 0");
        } finally {
            restore(Engines.BACKEND_PROPERTY, oldBackend);
            restore(Engines.THREADS_PROPERTY, oldThreads);
        }
    }

    @Test
    void badNamesAreRejected() {
        assertThatThrownBy(() -> Engines.create("gpu", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backend: expected simd, reference or auto, got gpu");
        assertThatThrownBy(() -> Engines.create("auto", 0)).hasMessage("threads: expected >= 1, got 0");
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void aNewInferenceModelSaysWhichKernelsItUses() {
        // The inference API's event-driven path never creates an Engine, so the model logs its own line.
        PhasedLstmParams p = PhasedLstmParams.initialize(PhasedLstmConfig.builder(2, 5).build(), TimeGateInit.KERAS, 1);
        PhasedLstmModel model = PhasedLstmModel.of(List.of(p), null);
        assertThat(model.backend()).isEqualTo(expected());
        assertThat(logged).hasSize(1);
        if (expected().equals("simd")) {
            assertThat(logged.get(0).getMessage()).isEqualTo("plstm: PhasedLstmModel on the SIMD kernels (Vector API): "
                    + "jdk.incubator.vector is readable");
            assertThat(logged.get(0).getLevel()).isEqualTo(java.util.logging.Level.INFO);
        } else {
            assertThat(logged.get(0).getMessage()).isEqualTo("plstm: PhasedLstmModel on the reference (scalar, much "
                    + "slower): jdk.incubator.vector is not readable; add --add-modules jdk.incubator.vector to the "
                    + "java command line");
            assertThat(logged.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
        }
    }
}
