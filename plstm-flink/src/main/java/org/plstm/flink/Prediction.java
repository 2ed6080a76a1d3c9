package org.plstm.flink;

import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.plstm.Check;
import org.plstm.flink.typeutils.PredictionTypeInfo;

/**
 * What {@link KeyedPhasedLstm} emits for an event: the key, the event's time, how many events the key's stream has
 * consumed (this one included), and the model's output for the state after it. The answer to a
 * {@linkplain Event#query query} has the query's time and the count of events consumed before it.
 *
 * <p>The value array is not copied: the prediction owns it. Flink serialises predictions with
 * {@link PredictionTypeInfo}'s typed serializer, never with Kryo.
 *
 * @param key    the stream's key
 * @param time   the event's timestamp, in the model's time unit
 * @param events the number of events this key has consumed, this one included ({@code >= 1}); with
 *               {@link KeyedPhasedLstm.Builder#emitEvery(int) emitEvery(N)} a multiple of {@code N}
 * @param values the class probabilities {@code [C]} ({@link KeyedPhasedLstm.Output#PROBABILITIES}) or the last
 *               layer's hidden state {@code [H]} ({@link KeyedPhasedLstm.Output#HIDDEN_STATE})
 * @param <K>    the key type
 */
@TypeInfo(PredictionTypeInfo.Factory.class)
public record Prediction<K>(K key, double time, long events, float[] values) {

    /**
     * @throws IllegalArgumentException if {@code key} or {@code values} is null, or {@code events < 1}
     */
    public Prediction {
        Check.notNull("key", key);
        Check.notNull("values", values);
        if (events < 1) {
            throw new IllegalArgumentException("events: expected >= 1, got " + events);
        }
    }

    /**
     * The type information of a stream of predictions with keys of the given type.
     *
     * @param keyType the key's type information
     * @param <K>     the key type
     * @return the predictions' type information
     * @throws IllegalArgumentException if {@code keyType} is null
     */
    public static <K> TypeInformation<Prediction<K>> typeInfo(TypeInformation<K> keyType) {
        return new PredictionTypeInfo<>(keyType);
    }

    /** @return the value array itself (not a copy) */
    @Override
    public float[] values() {
        return values;
    }

    /** Equal when every field is equal, the floats bit for bit ({@link Arrays#equals(float[], float[])}). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Prediction<?> p && key.equals(p.key) && Double.compare(time, p.time) == 0
                && events == p.events && Arrays.equals(values, p.values);
    }

    @Override
    public int hashCode() {
        return ((key.hashCode() * 31 + Double.hashCode(time)) * 31 + Long.hashCode(events)) * 31
                + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Prediction[key=" + key + ", time=" + time + ", events=" + events + ", values="
                + Arrays.toString(values) + "]";
    }
}
