package org.plstm.flink.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.api.common.functions.InvalidTypesException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.plstm.flink.Event;
import org.plstm.flink.Prediction;
import org.plstm.flink.RejectedEvent;

/** Flink's serializer battery on the record serializers, and Flink's type extraction finding them (never Kryo). */
class RecordSerializersTest {

    @Test
    void flinkFindsTheTypedSerializersWhereverTheKeyTypeIsVisible() {
        TypeInformation<Event<String>> events = TypeInformation.of(new TypeHint<Event<String>>() { });
        assertThat(events).isEqualTo(Event.typeInfo(Types.STRING)).isInstanceOf(EventTypeInfo.class);
        assertThat(events.createSerializer(new SerializerConfigImpl()))
                .isEqualTo(new EventSerializer<>(StringSerializer.INSTANCE));
        assertThat(TypeInformation.of(new TypeHint<Prediction<Long>>() { }))
                .isEqualTo(Prediction.typeInfo(Types.LONG));
        assertThat(TypeInformation.of(new TypeHint<RejectedEvent<Long>>() { }))
                .isEqualTo(RejectedEvent.typeInfo(Types.LONG));
        assertThat(events.toString()).isEqualTo("Event<String>");
        assertThat(events.getGenericParameters()).containsEntry("K", Types.STRING);
    }

    @Test
    void aHiddenKeyTypeIsAnErrorThatSaysWhatToDo() {
        assertThatThrownBy(() -> new EventTypeInfo.Factory<String>().createTypeInfo(Event.class, java.util.Map.of()))
                .isInstanceOf(InvalidTypesException.class).hasMessage("the key type of Event<K> could not be "
                        + "determined (a lambda hides it); give it explicitly, e.g. "
                        + ".returns(Event.typeInfo(Types.STRING))");
        assertThatThrownBy(() -> Event.typeInfo(null)).hasMessage("keyType: expected a value, got null");
    }

    @Nested
    class Events extends SerializerTestBase<Event<String>> {
        @Override
        protected TypeSerializer<Event<String>> createSerializer() {
            return new EventSerializer<>(StringSerializer.INSTANCE);
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"}) // creates an array of a generic type
        protected Class<Event<String>> getTypeClass() {
            return (Class<Event<String>>) (Class<?>) Event.class;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"}) // creates an array of a generic type
        protected Event<String>[] getTestData() {
            return new Event[] {
                new Event<>("sensor-1", 1.7e12, new float[] {1, 2, 3}),
                new Event<>("", Double.NEGATIVE_INFINITY, new float[0]),
                new Event<>("ü", Double.NaN, new float[] {Float.NaN, -0f}),
            };
        }
    }

    @Nested
    class Predictions extends SerializerTestBase<Prediction<Long>> {
        @Override
        protected TypeSerializer<Prediction<Long>> createSerializer() {
            return new PredictionSerializer<>(LongSerializer.INSTANCE);
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"}) // creates an array of a generic type
        protected Class<Prediction<Long>> getTypeClass() {
            return (Class<Prediction<Long>>) (Class<?>) Prediction.class;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"}) // creates an array of a generic type
        protected Prediction<Long>[] getTestData() {
            return new Prediction[] {
                new Prediction<>(7L, 3.5, 1, new float[] {0.25f, 0.75f}),
                new Prediction<>(-1L, -2, Long.MAX_VALUE, new float[0]),
            };
        }
    }

    @Nested
    class Rejections extends SerializerTestBase<RejectedEvent<String>> {
        @Override
        protected TypeSerializer<RejectedEvent<String>> createSerializer() {
            return new RejectedEventSerializer<>(new EventSerializer<>(StringSerializer.INSTANCE));
        }

        @Override
        protected boolean allowNullInstances(TypeSerializer<RejectedEvent<String>> serializer) {
            return true; // no meaningful empty rejected event
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"}) // creates an array of a generic type
        protected Class<RejectedEvent<String>> getTypeClass() {
            return (Class<RejectedEvent<String>>) (Class<?>) RejectedEvent.class;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"}) // creates an array of a generic type
        protected RejectedEvent<String>[] getTestData() {
            return new RejectedEvent[] {
                new RejectedEvent<>(new Event<>("a", 1, new float[] {1}), RejectedEvent.Reason.WRONG_FEATURE_COUNT,
                        "features: expected 2 values (the model's input size I), got 1"),
                new RejectedEvent<>(new Event<>("b", 0.5, new float[] {Float.NaN}),
                        RejectedEvent.Reason.FEATURE_NOT_FINITE, "x".repeat(70_000)),
            };
        }
    }
}
