package org.plstm.flink.typeutils;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.plstm.Check;
import org.plstm.flink.KeyedSessionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializer of a {@link KeyedSessionState} (one key's stream session) for Flink keyed state, checkpoints and
 * savepoints.
 * The layer sizes are the serializer's configuration (they are the model's, the same for every key) and live in its
 * {@link Snapshot}; each state is then a fixed-length record.
 *
 * <p>Form, version 1 ({@link Snapshot#VERSION}); numbers big-endian as {@link DataOutputView} writes them:
 * <pre>
 *   lastTime   double    8 bytes   the last event's timestamp, or -Infinity before the first
 *   events     long      8 bytes   events consumed
 *   per layer k, bottom first:
 *     h        float[H_k]          the hidden state
 *     c        float[H_k]          the cell state
 * </pre>
 * {@code 16 + 8·ΣH_k} bytes per key ({@link #getLength()}): 1,040 for one layer of H = 128, 4,112 for H = 512. A
 * change of this form must bump {@link Snapshot#VERSION} and keep reading the old one
 * ({@code KeyedSessionStateSerializerFormatTest} pins the bytes of every version).
 *
 * <p>Stateless and thread-safe (states are mutable: {@link #copy(KeyedSessionState)} copies deeply).
 */
public final class KeyedSessionStateSerializer extends TypeSerializer<KeyedSessionState> {
    private static final long serialVersionUID = 1L;

    /** The model's hidden size per layer, bottom first. */
    private final int[] hiddenSizes;

    /**
     * @param hiddenSizes the model's hidden size per layer, bottom first ({@code PhasedLstmModel.hiddenSizes()})
     * @throws IllegalArgumentException if {@code hiddenSizes} is null or empty or holds a size below 1
     */
    public KeyedSessionStateSerializer(List<Integer> hiddenSizes) {
        this(toArray(hiddenSizes));
    }

    KeyedSessionStateSerializer(int[] hiddenSizes) {
        this.hiddenSizes = checkSizes(hiddenSizes);
    }

    /** @return the hidden size per layer, bottom first (a copy) */
    public int[] hiddenSizes() {
        return hiddenSizes.clone();
    }

    /** @return false: states are updated in place */
    @Override
    public boolean isImmutableType() {
        return false;
    }

    /** @return this serializer: it is stateless */
    @Override
    public TypeSerializer<KeyedSessionState> duplicate() {
        return this;
    }

    /** @return the zero state (h = c = 0, no events, last time -Infinity), the state of a key before its first event */
    @Override
    public KeyedSessionState createInstance() {
        return new KeyedSessionState(sizeList());
    }

    /** @return a deep copy of {@code from} */
    @Override
    public KeyedSessionState copy(KeyedSessionState from) {
        return from.copy();
    }

    /** @return a deep copy of {@code from} (states are not reused) */
    @Override
    public KeyedSessionState copy(KeyedSessionState from, KeyedSessionState reuse) {
        return from.copy();
    }

    /** @return {@code 16 + 8·ΣH_k}, the bytes of every state */
    @Override
    public int getLength() {
        int n = 16;
        for (int h : hiddenSizes) {
            n += 8 * h;
        }
        return n;
    }

    /**
     * @throws IOException if {@code state}'s layer sizes are not this serializer's (a state of another model)
     */
    @Override
    public void serialize(KeyedSessionState state, DataOutputView out) throws IOException {
        if (state.depth() != hiddenSizes.length) {
            throw new IOException("state: expected " + hiddenSizes.length + " layers " + Arrays.toString(hiddenSizes)
                    + ", got " + state.depth());
        }
        out.writeDouble(state.lastTime());
        out.writeLong(state.events());
        for (int k = 0; k < hiddenSizes.length; k++) {
            float[] h = state.hidden(k);
            if (h.length != hiddenSizes[k]) {
                throw new IOException("state: expected layer " + k + " of " + hiddenSizes[k] + " units, got "
                        + h.length);
            }
            Floats.write(h, out);
            Floats.write(state.cell(k), out);
        }
    }

    /** @throws IOException if the input ends early or holds an invalid state (NaN, negative event count) */
    @Override
    public KeyedSessionState deserialize(DataInputView in) throws IOException {
        KeyedSessionState s = createInstance();
        double lastTime = in.readDouble();
        long events = in.readLong();
        for (int k = 0; k < hiddenSizes.length; k++) {
            Floats.readInto(s.hidden(k), in);
            Floats.readInto(s.cell(k), in);
        }
        try {
            s.setTimeAndEvents(lastTime, events);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt serialised session state: " + e.getMessage(), e);
        }
        if (!s.isFinite()) {
            throw new IOException("corrupt serialised session state: expected finite h and c, got a NaN or an "
                    + "infinity");
        }
        return s;
    }

    /** @return {@link #deserialize(DataInputView)} (states are not reused) */
    @Override
    public KeyedSessionState deserialize(KeyedSessionState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        out.write(in, getLength());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyedSessionStateSerializer s && Arrays.equals(hiddenSizes, s.hiddenSizes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hiddenSizes);
    }

    @Override
    public String toString() {
        return "KeyedSessionStateSerializer" + Arrays.toString(hiddenSizes);
    }

    /** @return a snapshot of the current version holding the layer sizes */
    @Override
    public TypeSerializerSnapshot<KeyedSessionState> snapshotConfiguration() {
        return new Snapshot(hiddenSizes, Snapshot.VERSION);
    }

    private List<Integer> sizeList() {
        return Arrays.stream(hiddenSizes).boxed().toList();
    }

    private static int[] toArray(List<Integer> sizes) {
        Check.notNull("hiddenSizes", sizes);
        int[] a = new int[sizes.size()];
        for (int k = 0; k < a.length; k++) {
            a[k] = Check.notNull("hiddenSizes[" + k + "]", sizes.get(k));
        }
        return a;
    }

    private static int[] checkSizes(int[] sizes) {
        Check.notNull("hiddenSizes", sizes);
        if (sizes.length == 0) {
            throw new IllegalArgumentException("hiddenSizes: expected at least one layer, got none");
        }
        for (int k = 0; k < sizes.length; k++) {
            Check.atLeast("hiddenSizes[" + k + "]", sizes[k], 1);
        }
        return sizes.clone();
    }

    /**
     * What a checkpoint or savepoint stores about the serializer: the format version and the layer sizes.
     *
     * <p>Written form (after Flink's own class name and version header): {@code int} layer count, then {@code int}
     * per layer. Restoring state written by this version is
     * {@linkplain TypeSerializerSchemaCompatibility#compatibleAsIs compatible as is} when the layer sizes match; with
     * other sizes it is {@linkplain TypeSerializerSchemaCompatibility#incompatible incompatible} (a model of another
     * shape cannot continue these sessions: Flink then refuses to restore, and the log says why); state of an older
     * format would be migrated (read by {@link #restoreSerializer()}, written in the current form).
     */
    public static final class Snapshot implements TypeSerializerSnapshot<KeyedSessionState> {
        /** The current form's version. */
        public static final int VERSION = 1;
        private static final Logger LOG = LoggerFactory.getLogger(Snapshot.class);

        private int[] hiddenSizes;
        private int formatVersion;

        /** For Flink, which reads snapshots reflectively (then {@link #readSnapshot}). */
        public Snapshot() {
        }

        Snapshot(int[] hiddenSizes, int formatVersion) {
            this.hiddenSizes = hiddenSizes.clone();
            this.formatVersion = formatVersion;
        }

        /** @return {@value #VERSION} */
        @Override
        public int getCurrentVersion() {
            return VERSION;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(hiddenSizes.length);
            for (int h : hiddenSizes) {
                out.writeInt(h);
            }
        }

        /**
         * @throws IOException if {@code readVersion} is unknown to this code (a savepoint of a newer plstm-flink) or
         *     the sizes are invalid
         */
        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
                throws IOException {
            if (readVersion < 1 || readVersion > VERSION) {
                throw new IOException("session state serializer snapshot: expected a version in [1, " + VERSION
                        + "], got " + readVersion + " (written by a newer plstm-flink?)");
            }
            int layers = in.readInt();
            if (layers < 1 || layers > 1024) {
                throw new IOException("session state serializer snapshot: expected 1 to 1024 layers, got " + layers);
            }
            int[] sizes = new int[layers];
            for (int k = 0; k < layers; k++) {
                sizes[k] = in.readInt();
                if (sizes[k] < 1 || sizes[k] > Floats.MAX_LENGTH) {
                    throw new IOException("session state serializer snapshot: layer " + k + ": expected a hidden "
                            + "size in [1, " + Floats.MAX_LENGTH + "], got " + sizes[k]);
                }
            }
            this.hiddenSizes = sizes;
            this.formatVersion = readVersion;
        }

        /** @return a serializer that reads the form this snapshot was written with */
        @Override
        public TypeSerializer<KeyedSessionState> restoreSerializer() {
            // Version 1 is the only form so far; a version 2 would return a reader of form 1 here when
            // formatVersion == 1.
            return new KeyedSessionStateSerializer(hiddenSizes);
        }

        /**
         * @param oldSnapshot the snapshot in the checkpoint or savepoint being restored
         * @return as is for the same sizes and version; after migration for the same sizes and an older version;
         *     incompatible otherwise
         */
        @Override
        public TypeSerializerSchemaCompatibility<KeyedSessionState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<KeyedSessionState> oldSnapshot) {
            if (!(oldSnapshot instanceof Snapshot old)) {
                LOG.error("plstm session state: the restored state was written by {}, not by {}; cannot read it",
                        oldSnapshot.getClass().getName(), KeyedSessionStateSerializer.class.getName());
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            if (!Arrays.equals(old.hiddenSizes, hiddenSizes)) {
                LOG.error("plstm session state: the restored state has hidden sizes {} per layer, the model has {}: a "
                        + "model of another shape cannot continue these sessions (start the job without that state, "
                        + "or with the model it was written with)", Arrays.toString(old.hiddenSizes),
                        Arrays.toString(hiddenSizes));
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            return old.formatVersion == VERSION ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }

        /** @return the layer sizes (a copy) */
        public int[] hiddenSizes() {
            return hiddenSizes.clone();
        }

        /** @return the version of the form the state was written in */
        public int formatVersion() {
            return formatVersion;
        }
    }
}
