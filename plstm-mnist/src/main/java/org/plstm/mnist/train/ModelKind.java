package org.plstm.mnist.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which recurrent layer the classifier uses. */
public enum ModelKind {
    /** The Phased LSTM (time gate on). */
    PLSTM,
    /** The plain LSTM baseline: the same layer with the time gate off ({@code PhasedLstmConfig.timeGate(false)}). */
    LSTM;

    /** @return the lowercase spelling used on the command line and in JSON, {@code plstm} or {@code lstm} */
    @JsonValue
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param s {@code plstm} or {@code lstm}, case-insensitive
     * @return the constant
     * @throws IllegalArgumentException on any other value
     */
    @JsonCreator
    public static ModelKind parse(String s) {
        if (s != null) {
            for (ModelKind k : values()) {
                if (k.toString().equalsIgnoreCase(s.trim())) {
                    return k;
                }
            }
        }
        throw new IllegalArgumentException("model: expected plstm or lstm, got " + s);
    }
}
