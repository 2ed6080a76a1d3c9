package org.plstm.flink.typeutils;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.plstm.Check;
import org.plstm.flink.Event;
import org.plstm.flink.RejectedEvent;

/**
 * Serializer of {@link RejectedEvent}{@code <K>}. Form (version 1 of {@link Snapshot}): the event
 * ({@link EventSerializer}), the reason's name and the message (both as Flink's {@link StringSerializer} writes
 * strings). The reason is written by name, so reordering {@link RejectedEvent.Reason} keeps old records readable.
 *
 * <p>Not thread-safe when the key serializer is not (Flink {@link #duplicate() duplicates} it per thread).
 *
 * @param <K> the key type
 */
public final class RejectedEventSerializer<K> extends TypeSerializer<RejectedEvent<K>> {
    private static final long serialVersionUID = 1L;

    /** The serializer of the rejected event. */
    private final TypeSerializer<Event<K>> eventSerializer;

    /**
     * @param eventSerializer the events' serializer
     * @throws IllegalArgumentException if {@code eventSerializer} is null
     */
    public RejectedEventSerializer(TypeSerializer<Event<K>> eventSerializer) {
        this.eventSerializer = Check.notNull("eventSerializer", eventSerializer);
    }

    /** @return false: the event's feature array is mutable */
    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<RejectedEvent<K>> duplicate() {
        TypeSerializer<Event<K>> e = eventSerializer.duplicate();
        return e == eventSerializer ? this : new RejectedEventSerializer<>(e);
    }

    /** @return null: a rejected event has no meaningful empty instance (records are never reused) */
    @Override
    public RejectedEvent<K> createInstance() {
        return null;
    }

    /** @return a deep copy (the event copied by its serializer) */
    @Override
    public RejectedEvent<K> copy(RejectedEvent<K> from) {
        return new RejectedEvent<>(eventSerializer.copy(from.event()), from.reason(), from.message());
    }

    /** @return {@link #copy(RejectedEvent)} */
    @Override
    public RejectedEvent<K> copy(RejectedEvent<K> from, RejectedEvent<K> reuse) {
        return copy(from);
    }

    /** @return -1: variable length */
    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(RejectedEvent<K> r, DataOutputView out) throws IOException {
        eventSerializer.serialize(r.event(), out);
        StringSerializer.INSTANCE.serialize(r.reason().name(), out);
        StringSerializer.INSTANCE.serialize(r.message(), out);
    }

    /** @throws IOException if the input ends early or names an unknown reason */
    @Override
    public RejectedEvent<K> deserialize(DataInputView in) throws IOException {
        Event<K> event = eventSerializer.deserialize(in);
        String reason = StringSerializer.INSTANCE.deserialize(in);
        String message = StringSerializer.INSTANCE.deserialize(in);
        try {
            return new RejectedEvent<>(event, RejectedEvent.Reason.valueOf(reason), message);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("corrupt serialised rejected event: reason: expected one of "
                    + java.util.Arrays.toString(RejectedEvent.Reason.values()) + ", got " + reason, e);
        }
    }

    /** @return {@link #deserialize(DataInputView)} */
    @Override
    public RejectedEvent<K> deserialize(RejectedEvent<K> reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        eventSerializer.copy(in, out);
        StringSerializer.INSTANCE.copy(in, out);
        StringSerializer.INSTANCE.copy(in, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RejectedEventSerializer<?> s && eventSerializer.equals(s.eventSerializer);
    }

    @Override
    public int hashCode() {
        return RejectedEventSerializer.class.hashCode() * 31 + eventSerializer.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<RejectedEvent<K>> snapshotConfiguration() {
        return new Snapshot<>(this);
    }

    /**
     * The serializer's snapshot: its format version (1) and the event serializer's snapshot.
     *
     * @param <K> the key type
     */
    public static final class Snapshot<K>
            extends CompositeTypeSerializerSnapshot<RejectedEvent<K>, RejectedEventSerializer<K>> {
        private static final int VERSION = 1;

        /** For Flink, which reads snapshots reflectively. */
        public Snapshot() {
        }

        Snapshot(RejectedEventSerializer<K> serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return VERSION;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(RejectedEventSerializer<K> outer) {
            return new TypeSerializer<?>[] {outer.eventSerializer};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected RejectedEventSerializer<K> createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new RejectedEventSerializer<>((TypeSerializer<Event<K>>) nested[0]);
        }
    }
}
