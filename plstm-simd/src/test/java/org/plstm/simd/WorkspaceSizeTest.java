package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.plstm.PhasedLstmConfig;

/**
 * A SIMD workspace too large for its gate cache ({@code [T][B][4·Hp]}) is refused before anything is allocated: the
 * hidden sequence {@code [B][T][H]} fits an array and was allocated first (2 GB here), so a JVM with less heap died of
 * an {@link OutOfMemoryError} instead of the {@link IllegalArgumentException} that names the sizes.
 */
class WorkspaceSizeTest {

    @Test
    void aWorkspaceWhoseGateCacheCannotExistIsRefusedBeforeItsHiddenSequenceIsAllocated() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(1, 1024).build();
        int steps = (1 << 19) + 1; // B·T·H = 2^29 + 1024 floats fit; B·T·4·Hp = 2^31 + 4096 do not
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        try (SimdEngine engine = new SimdEngine(1)) {
            assertThatThrownBy(() -> engine.newWorkspace(cfg, 1, steps)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("batch·steps (gate cache [T][B][4H], padded): expected at most 2147483647 elements, got "
                            + "1·524289·4096");
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by the refused call").isLessThan(64L << 20);
    }
}
