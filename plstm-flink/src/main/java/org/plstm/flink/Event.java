package org.plstm.flink;

import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.plstm.Check;
import org.plstm.flink.typeutils.EventTypeInfo;

/**
 * One timestamped event of one stream: the input of {@link KeyedPhasedLstm}.
 *
 * <p>An event is accepted as it arrives, even when it is bad (wrong feature count, NaN, a time going backwards): the
 * operator, not the constructor, judges it against the model and the key's state, and sends a bad one to the
 * {@linkplain KeyedPhasedLstm#rejectedTag side output} with the reason. Only a null key or a null feature array is
 * refused here, because neither could be keyed or serialised.
 *
 * <p>The feature array is not copied (an event is created once per record on the hot path): the event owns it, so do
 * not change it after the event has been emitted. Flink's type system knows this class through
 * {@link EventTypeInfo} (the {@link TypeInfo} annotation): it is serialised by a typed serializer, never by Kryo.
 *
 * @param key      the stream's key (a sensor, a user, a machine); non-null, with a stable {@code hashCode}, as Flink
 *                 requires of keys
 * @param time     the event's timestamp in the model's time unit (the unit of its periods): any finite value, not
 *                 earlier than the previous event of the same key (a query's time too)
 * @param features the event's inputs {@code [I]}, {@code I} = the model's input size
 * @param <K>      the key type
 */
@TypeInfo(EventTypeInfo.Factory.class)
public record Event<K>(K key, double time, float[] features) {

    /**
     * @throws IllegalArgumentException if {@code key} or {@code features} is null
     */
    public Event {
        Check.notNull("key", key);
        Check.notNull("features", features);
    }

    /**
     * A query: asks for the key's prediction now, without an input. The operator answers with a {@link Prediction}
     * of the key's current state (after the key's events that arrived before the query), stamped with the query's
     * time and the key's event count, whatever {@link KeyedPhasedLstm.Builder#emitEvery(int) emitEvery} says; the
     * state does not change (a Phased LSTM's state changes only at events: closed gates keep it exactly). A query
     * for a key that has consumed no event yet goes to the side output
     * ({@link RejectedEvent.Reason#QUERY_BEFORE_ANY_EVENT}); one with a NaN or infinite time too
     * ({@link RejectedEvent.Reason#TIME_NOT_FINITE}). Its time follows the rule of events' times: a query earlier than
     * the key's last event goes to the side output ({@link RejectedEvent.Reason#TIME_WENT_BACKWARDS}, the message
     * naming both times), as an event that early would, rather than being answered from the state of a later time
     * (equal times are fine); a query does not move the key's time, so a later event may be earlier than the query. A
     * query is an event without features (an empty feature array), so it travels through every Flink type and
     * serializer of events unchanged.
     *
     * @param key  the stream's key
     * @param time the time to stamp the answer with (e.g. the request's time), finite and not earlier than the key's
     *             last event
     * @param <K>  the key type
     * @return the query event
     * @throws IllegalArgumentException if {@code key} is null
     */
    public static <K> Event<K> query(K key, double time) {
        return new Event<>(key, time, new float[0]);
    }

    /** @return true if this is a {@link #query} (no features) rather than an input */
    public boolean isQuery() {
        return features.length == 0;
    }

    /**
     * The type information Flink needs for a stream of events with keys of the given type, e.g.
     * {@code Event.typeInfo(Types.STRING)} in {@code map(...).returns(...)}: Flink cannot see the key type of a lambda.
     *
     * @param keyType the key's type information
     * @param <K>     the key type
     * @return the events' type information
     * @throws IllegalArgumentException if {@code keyType} is null
     */
    public static <K> TypeInformation<Event<K>> typeInfo(TypeInformation<K> keyType) {
        return new EventTypeInfo<>(keyType);
    }

    /** @return the feature array itself (not a copy), {@code [I]} */
    @Override
    public float[] features() {
        return features;
    }

    /** Equal when the keys are equal, the times are the same double and the features the same floats. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Event<?> e && key.equals(e.key) && Double.compare(time, e.time) == 0
                && Arrays.equals(features, e.features);
    }

    @Override
    public int hashCode() {
        return (key.hashCode() * 31 + Double.hashCode(time)) * 31 + Arrays.hashCode(features);
    }

    @Override
    public String toString() {
        return "Event[key=" + key + ", time=" + time + ", features=" + Arrays.toString(features) + "]";
    }
}
