package org.plstm.flink.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.plstm.flink.KeyedSessionState;
import org.plstm.inference.SessionState;

/**
 * Pins the serialised form of a session state, so that a savepoint written by this version restores in the next.
 *
 * <p>For every version {@code v} of {@link KeyedSessionStateSerializer.Snapshot} there are two committed files under
 * {@code src/test/resources/org/plstm/flink/typeutils/}: {@code session-state-v<v>.hex}, the bytes of {@link #KNOWN},
 * and {@code session-state-snapshot-v<v>.hex}, the serializer snapshot as Flink writes it into a savepoint. The current
 * serializer must write exactly the current version's bytes (a change of the form without a version bump fails here),
 * and every committed version must still be read back to {@link #KNOWN} (a bump that drops the old reader fails here).
 * After a deliberate change: bump {@code Snapshot.VERSION}, keep reading the old form, and commit the new files (the
 * failure message prints their content).
 */
class KeyedSessionStateSerializerFormatTest {
    /** A state of two layers (H = 3, 2) with values whose bits are easy to read in the hex. */
    static final KeyedSessionState KNOWN = KeyedSessionState.of(SessionState.of(
            new float[][] {{0.5f, -1.25f, 3e-5f}, {1f, -0f}},
            new float[][] {{2f, -0.75f, 1e10f}, {-3f, 0.125f}},
            1_700_000_000_000.25, 42));
    private static final KeyedSessionStateSerializer SERIALIZER = new KeyedSessionStateSerializer(List.of(3, 2));

    @Test
    void theCurrentFormIsTheCommittedOneOfTheCurrentVersion() throws IOException {
        int v = KeyedSessionStateSerializer.Snapshot.VERSION;
        String state = hex(serialize(KNOWN));
        String snapshot = hex(snapshotBytes(SERIALIZER.snapshotConfiguration()));
        String committedState = resource("session-state-v" + v + ".hex");
        String committedSnapshot = resource("session-state-snapshot-v" + v + ".hex");
        if (committedState == null || committedSnapshot == null) {
            fail("no committed form for version " + v + "; if the form changed on purpose, commit\n"
                    + "session-state-v" + v + ".hex:\n" + state + "\nsession-state-snapshot-v" + v + ".hex:\n"
                    + snapshot);
        }
        assertThat(state).as("the serialised state of version " + v + " (changed the form? bump "
                + "KeyedSessionStateSerializer.Snapshot.VERSION and keep reading the old one)")
                .isEqualTo(committedState);
        assertThat(snapshot).as("the serializer snapshot of version " + v).isEqualTo(committedSnapshot);
        assertThat(serialize(KNOWN)).hasSize(SERIALIZER.getLength()).hasSize(16 + 8 * 5);
    }

    @Test
    void everyCommittedVersionIsStillRead() throws IOException {
        for (int v = 1; v <= KeyedSessionStateSerializer.Snapshot.VERSION; v++) {
            String state = resource("session-state-v" + v + ".hex");
            String snapshot = resource("session-state-snapshot-v" + v + ".hex");
            assertThat(state).as("session-state-v" + v + ".hex is committed").isNotNull();
            assertThat(snapshot).as("session-state-snapshot-v" + v + ".hex is committed").isNotNull();
            TypeSerializerSnapshot<KeyedSessionState> old = TypeSerializerSnapshot.readVersionedSnapshot(
                    new DataInputDeserializer(unhex(snapshot)), getClass().getClassLoader());
            TypeSerializer<KeyedSessionState> reader = old.restoreSerializer();
            assertThat(reader.deserialize(new DataInputDeserializer(unhex(state)))).as("version " + v)
                    .isEqualTo(KNOWN);
            TypeSerializerSchemaCompatibility<KeyedSessionState> c =
                    SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(old);
            if (v == KeyedSessionStateSerializer.Snapshot.VERSION) {
                assertThat(c.isCompatibleAsIs()).as("version " + v + " restores as is").isTrue();
            } else {
                assertThat(c.isCompatibleAfterMigration()).as("version " + v + " is migrated").isTrue();
            }
        }
    }

    @Test
    void aModelOfAnotherShapeCannotRestoreTheState() throws IOException {
        for (List<Integer> other : List.of(List.of(3), List.of(3, 3), List.of(3, 2, 1))) {
            TypeSerializerSnapshot<KeyedSessionState> old = TypeSerializerSnapshot.readVersionedSnapshot(
                    new DataInputDeserializer(snapshotBytes(new KeyedSessionStateSerializer(other)
                            .snapshotConfiguration())), getClass().getClassLoader());
            assertThat(SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(old).isIncompatible())
                    .as("sizes " + other + " vs [3, 2]").isTrue();
        }
    }

    @Test
    void corruptInputIsAnErrorThatSaysWhat() throws IOException {
        byte[] bytes = serialize(KNOWN);
        bytes[16] = 0x7f; // h[0][0] = 0x7f000000... -> still finite; make it NaN:
        bytes[17] = (byte) 0xc0;
        assertThatThrownBy(() -> SERIALIZER.deserialize(new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class).hasMessage("corrupt serialised session state: expected finite h and "
                        + "c, got a NaN or an infinity");
        DataOutputSerializer out = new DataOutputSerializer(16);
        out.writeInt(1);
        out.writeInt(-4);
        assertThatThrownBy(() -> new KeyedSessionStateSerializer.Snapshot().readSnapshot(1,
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessage("session state serializer snapshot: layer 0: expected a hidden size in [1, 16777216], "
                        + "got -4");
        assertThatThrownBy(() -> new KeyedSessionStateSerializer.Snapshot().readSnapshot(2,
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader()))
                .isInstanceOf(IOException.class).hasMessageContaining("expected a version in [1, 1], got 2");
        assertThatThrownBy(() -> new KeyedSessionStateSerializer(List.of(3, 0)))
                .hasMessage("hiddenSizes[1]: expected >= 1, got 0");
    }

    private static byte[] serialize(KeyedSessionState s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(s, out);
        return out.getCopyOfBuffer();
    }

    private static byte[] snapshotBytes(TypeSerializerSnapshot<KeyedSessionState> snapshot) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        return out.getCopyOfBuffer();
    }

    /** Hex in lines of 16 bytes, as the committed files hold it. */
    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i += 16) {
            sb.append(HexFormat.ofDelimiter(" ").formatHex(bytes, i, Math.min(bytes.length, i + 16))).append('\n');
        }
        return sb.toString();
    }

    private static byte[] unhex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = KeyedSessionStateSerializerFormatTest.class.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }
}
