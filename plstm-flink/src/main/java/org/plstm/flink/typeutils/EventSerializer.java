package org.plstm.flink.typeutils;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.plstm.Check;
import org.plstm.flink.Event;

/**
 * Serializer of {@link Event}{@code <K>}. Form (version 1 of {@link Snapshot}): the key (its own serializer), the time
 * ({@code double}, 8 bytes), the feature count ({@code int}), the features ({@code float} each); numbers big-endian
 * as {@link DataOutputView} writes them. {@code 12 + 4·I} bytes plus the key's.
 *
 * <p>Not thread-safe when the key serializer is not (Flink {@link #duplicate() duplicates} it per thread).
 *
 * @param <K> the key type
 */
public final class EventSerializer<K> extends TypeSerializer<Event<K>> {
    private static final long serialVersionUID = 1L;

    /** The key's serializer. */
    private final TypeSerializer<K> keySerializer;

    /**
     * @param keySerializer the key's serializer
     * @throws IllegalArgumentException if {@code keySerializer} is null
     */
    public EventSerializer(TypeSerializer<K> keySerializer) {
        this.keySerializer = Check.notNull("keySerializer", keySerializer);
    }

    /** @return the key's serializer */
    public TypeSerializer<K> keySerializer() {
        return keySerializer;
    }

    /** @return false: the feature array is mutable */
    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<Event<K>> duplicate() {
        TypeSerializer<K> k = keySerializer.duplicate();
        return k == keySerializer ? this : new EventSerializer<>(k);
    }

    /** @return an event with the key serializer's new instance, time 0 and no features; null if that key is null */
    @Override
    public Event<K> createInstance() {
        K key = keySerializer.createInstance();
        return key == null ? null : new Event<>(key, 0, new float[0]);
    }

    /** @return a deep copy (the key copied by its serializer, the features cloned) */
    @Override
    public Event<K> copy(Event<K> from) {
        return new Event<>(keySerializer.copy(from.key()), from.time(), from.features().clone());
    }

    /** @return {@link #copy(Event)}: events are records, never reused */
    @Override
    public Event<K> copy(Event<K> from, Event<K> reuse) {
        return copy(from);
    }

    /** @return -1: the length depends on the key and the feature count */
    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Event<K> event, DataOutputView out) throws IOException {
        keySerializer.serialize(event.key(), out);
        out.writeDouble(event.time());
        out.writeInt(event.features().length);
        Floats.write(event.features(), out);
    }

    /** @throws IOException if the input ends early or announces a negative or absurd feature count */
    @Override
    public Event<K> deserialize(DataInputView in) throws IOException {
        K key = keySerializer.deserialize(in);
        double time = in.readDouble();
        int n = Floats.readLength(in, "feature count");
        return new Event<>(key, time, Floats.read(n, in));
    }

    /** @return {@link #deserialize(DataInputView)}: events are records, never reused */
    @Override
    public Event<K> deserialize(Event<K> reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        keySerializer.copy(in, out);
        out.writeDouble(in.readDouble());
        int n = Floats.readLength(in, "feature count");
        out.writeInt(n);
        out.write(in, 4 * n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventSerializer<?> s && keySerializer.equals(s.keySerializer);
    }

    @Override
    public int hashCode() {
        return EventSerializer.class.hashCode() * 31 + keySerializer.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<Event<K>> snapshotConfiguration() {
        return new Snapshot<>(this);
    }

    /**
     * The serializer's snapshot: its format version (1) and the key serializer's snapshot (Flink's
     * {@link CompositeTypeSerializerSnapshot}, which resolves the key's compatibility).
     *
     * @param <K> the key type
     */
    public static final class Snapshot<K> extends CompositeTypeSerializerSnapshot<Event<K>, EventSerializer<K>> {
        private static final int VERSION = 1;

        /** For Flink, which reads snapshots reflectively. */
        public Snapshot() {
        }

        Snapshot(EventSerializer<K> serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return VERSION;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(EventSerializer<K> outer) {
            return new TypeSerializer<?>[] {outer.keySerializer};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected EventSerializer<K> createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new EventSerializer<>((TypeSerializer<K>) nested[0]);
        }
    }
}
