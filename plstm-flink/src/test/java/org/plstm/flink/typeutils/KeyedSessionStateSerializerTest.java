package org.plstm.flink.typeutils;

import java.util.List;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.plstm.inference.SessionState;

/** Flink's own battery of serializer checks (copy, serialise, snapshot and restore, duplicate, ...). */
class SessionStateSerializerTest extends SerializerTestBase<SessionState> {
    @Override
    protected TypeSerializer<SessionState> createSerializer() {
        return new SessionStateSerializer(List.of(3, 2));
    }

    @Override
    protected int getLength() {
        return 16 + 8 * (3 + 2);
    }

    @Override
    protected Class<SessionState> getTypeClass() {
        return SessionState.class;
    }

    @Override
    protected SessionState[] getTestData() {
        return new SessionState[] {
            new SessionStateSerializer(List.of(3, 2)).createInstance(),
            SessionStateSerializerFormatTest.KNOWN,
            SessionState.of(new float[][] {{-0f, Float.MIN_VALUE, Float.MAX_VALUE}, {1, -1}},
                    new float[][] {{3, 4, 5}, {-Float.MAX_VALUE, 0}}, -1e300, Long.MAX_VALUE),
        };
    }
}
