package org.plstm.flink.typeutils;

import java.util.List;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.plstm.flink.KeyedSessionState;
import org.plstm.inference.SessionState;

/** Flink's own battery of serializer checks (copy, serialise, snapshot and restore, duplicate, ...). */
class KeyedSessionStateSerializerTest extends SerializerTestBase<KeyedSessionState> {
    @Override
    protected TypeSerializer<KeyedSessionState> createSerializer() {
        return new KeyedSessionStateSerializer(List.of(3, 2));
    }

    @Override
    protected int getLength() {
        return 16 + 8 * (3 + 2);
    }

    @Override
    protected Class<KeyedSessionState> getTypeClass() {
        return KeyedSessionState.class;
    }

    @Override
    protected KeyedSessionState[] getTestData() {
        return new KeyedSessionState[] {
            new KeyedSessionStateSerializer(List.of(3, 2)).createInstance(),
            KeyedSessionStateSerializerFormatTest.KNOWN,
            KeyedSessionState.of(SessionState.of(new float[][] {{-0f, Float.MIN_VALUE, Float.MAX_VALUE}, {1, -1}},
                    new float[][] {{3, 4, 5}, {-Float.MAX_VALUE, 0}}, -1e300, Long.MAX_VALUE)),
        };
    }
}
