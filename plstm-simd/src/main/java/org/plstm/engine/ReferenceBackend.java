package org.plstm.engine;

import org.plstm.Check;
import org.plstm.Engine;
import org.plstm.PhasedLstmParams;
import org.plstm.reference.ReferenceEngine;

/** The scalar double-precision reference as a {@link Backend}: {@link ReferenceEngine} and {@link ReferenceStream}. */
final class ReferenceBackend extends Backend {
    static final ReferenceBackend INSTANCE = new ReferenceBackend();

    private ReferenceBackend() {
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String description() {
        return "reference backend (scalar, double precision)";
    }

    @Override
    public Engine newEngine(int threads) {
        checkThreads("threads", threads);
        return new ReferenceEngine();
    }

    @Override
    public LayerStream newStream(PhasedLstmParams layer) {
        Check.notNull("layer", layer);
        layer.validate("layer");
        return new ReferenceStream(layer);
    }
}
