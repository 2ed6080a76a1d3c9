package org.plstm.inference;

/** How inference updates the units at an event. */
public enum InferencePath {
    /**
     * Event-driven: only units whose time gate is open ({@code k > 0}) are computed; closed units keep their state
     * bitwise (paper section 3, inference with leak 0). Used whenever every layer has its time gate on.
     */
    EVENT_DRIVEN,
    /** Every unit at every event (plain LSTM layers, or forced). */
    DENSE
}
