package org.plstm.flink;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.plstm.Check;
import org.plstm.flink.typeutils.RejectedEventTypeInfo;

/**
 * An event {@link KeyedPhasedLstm} did not feed to the model, with the reason: the records of its
 * {@linkplain KeyedPhasedLstm#rejectedTag side output}. The key's state is unchanged by a rejected event, and the job
 * keeps running.
 *
 * @param event   the event as it arrived
 * @param reason  why it was rejected
 * @param message the reason in words, with the values involved (e.g. {@code "expected 16 features (the model's
 *                input size), got 3"})
 * @param <K>     the key type
 */
@TypeInfo(RejectedEventTypeInfo.Factory.class)
public record RejectedEvent<K>(Event<K> event, Reason reason, String message) {

    /** Why an event was rejected. */
    public enum Reason {
        /** The feature array's length is not the model's input size {@code I}. */
        WRONG_FEATURE_COUNT,
        /** A feature is NaN or infinite. */
        FEATURE_NOT_FINITE,
        /** The timestamp is NaN or infinite. */
        TIME_NOT_FINITE,
        /**
         * The timestamp is earlier than the key's previous event (the stream session's rule: per key, time must not
         * go backwards; equal times are allowed). A {@linkplain Event#query query} earlier than the key's last event
         * too: its state is of a later time than the query's.
         */
        TIME_WENT_BACKWARDS,
        /**
         * The event would have made the key's state NaN or infinite (float32 overflow of features of magnitude near
         * {@code 3e38}); the state is kept as it was before the event.
         */
        STATE_NOT_FINITE,
        /** A {@linkplain Event#query query} for a key that has consumed no event yet: no state to predict from. */
        QUERY_BEFORE_ANY_EVENT
    }

    /**
     * @throws IllegalArgumentException if an argument is null
     */
    public RejectedEvent {
        Check.notNull("event", event);
        Check.notNull("reason", reason);
        Check.notNull("message", message);
    }

    /**
     * The type information of a stream of rejected events with keys of the given type.
     *
     * @param keyType the key's type information
     * @param <K>     the key type
     * @return the rejected events' type information
     * @throws IllegalArgumentException if {@code keyType} is null
     */
    public static <K> TypeInformation<RejectedEvent<K>> typeInfo(TypeInformation<K> keyType) {
        return new RejectedEventTypeInfo<>(keyType);
    }
}
