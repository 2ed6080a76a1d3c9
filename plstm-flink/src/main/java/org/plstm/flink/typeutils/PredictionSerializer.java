package org.plstm.flink.typeutils;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.plstm.Check;
import org.plstm.flink.Prediction;

/**
 * Serializer of {@link Prediction}{@code <K>}. Form (version 1 of {@link Snapshot}): the key (its own serializer), the
 * time ({@code double}), the event count ({@code long}), the value count ({@code int}), the values ({@code float}
 * each); big-endian. {@code 20 + 4·n} bytes plus the key's.
 *
 * <p>Not thread-safe when the key serializer is not (Flink {@link #duplicate() duplicates} it per thread).
 *
 * @param <K> the key type
 */
public final class PredictionSerializer<K> extends TypeSerializer<Prediction<K>> {
    private static final long serialVersionUID = 1L;

    /** The key's serializer. */
    private final TypeSerializer<K> keySerializer;

    /**
     * @param keySerializer the key's serializer
     * @throws IllegalArgumentException if {@code keySerializer} is null
     */
    public PredictionSerializer(TypeSerializer<K> keySerializer) {
        this.keySerializer = Check.notNull("keySerializer", keySerializer);
    }

    /** @return false: the value array is mutable */
    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<Prediction<K>> duplicate() {
        TypeSerializer<K> k = keySerializer.duplicate();
        return k == keySerializer ? this : new PredictionSerializer<>(k);
    }

    /** @return a prediction with the key serializer's new instance, 1 event and no values; null if that key is null */
    @Override
    public Prediction<K> createInstance() {
        K key = keySerializer.createInstance();
        return key == null ? null : new Prediction<>(key, 0, 1, new float[0]);
    }

    /** @return a deep copy (the key copied by its serializer, the values cloned) */
    @Override
    public Prediction<K> copy(Prediction<K> from) {
        return new Prediction<>(keySerializer.copy(from.key()), from.time(), from.events(), from.values().clone());
    }

    /** @return {@link #copy(Prediction)}: predictions are records, never reused */
    @Override
    public Prediction<K> copy(Prediction<K> from, Prediction<K> reuse) {
        return copy(from);
    }

    /** @return -1: the length depends on the key and the value count */
    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Prediction<K> p, DataOutputView out) throws IOException {
        keySerializer.serialize(p.key(), out);
        out.writeDouble(p.time());
        out.writeLong(p.events());
        out.writeInt(p.values().length);
        Floats.write(p.values(), out);
    }

    /** @throws IOException if the input ends early or is corrupt (an absurd length, an event count below 1) */
    @Override
    public Prediction<K> deserialize(DataInputView in) throws IOException {
        K key = keySerializer.deserialize(in);
        double time = in.readDouble();
        long events = in.readLong();
        if (events < 1) {
            throw new IOException("corrupt serialised prediction: events: expected >= 1, got " + events);
        }
        int n = Floats.readLength(in, "value count");
        return new Prediction<>(key, time, events, Floats.read(n, in));
    }

    /** @return {@link #deserialize(DataInputView)}: predictions are records, never reused */
    @Override
    public Prediction<K> deserialize(Prediction<K> reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        keySerializer.copy(in, out);
        out.writeDouble(in.readDouble());
        out.writeLong(in.readLong());
        int n = Floats.readLength(in, "value count");
        out.writeInt(n);
        out.write(in, 4 * n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PredictionSerializer<?> s && keySerializer.equals(s.keySerializer);
    }

    @Override
    public int hashCode() {
        return PredictionSerializer.class.hashCode() * 31 + keySerializer.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<Prediction<K>> snapshotConfiguration() {
        return new Snapshot<>(this);
    }

    /**
     * The serializer's snapshot: its format version (1) and the key serializer's snapshot.
     *
     * @param <K> the key type
     */
    public static final class Snapshot<K>
            extends CompositeTypeSerializerSnapshot<Prediction<K>, PredictionSerializer<K>> {
        private static final int VERSION = 1;

        /** For Flink, which reads snapshots reflectively. */
        public Snapshot() {
        }

        Snapshot(PredictionSerializer<K> serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return VERSION;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(PredictionSerializer<K> outer) {
            return new TypeSerializer<?>[] {outer.keySerializer};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected PredictionSerializer<K> createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new PredictionSerializer<>((TypeSerializer<K>) nested[0]);
        }
    }
}
