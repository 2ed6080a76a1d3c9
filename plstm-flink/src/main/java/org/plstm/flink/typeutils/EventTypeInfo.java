package org.plstm.flink.typeutils;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.plstm.flink.Event;

/**
 * Flink type information of {@link Event}{@code <K>}: serialised by {@link EventSerializer} (key, time, features),
 * never by Kryo. Immutable and serialisable.
 *
 * @param <K> the key type
 */
public final class EventTypeInfo<K> extends KeyedRecordTypeInfo<Event<K>, K> {
    private static final long serialVersionUID = 1L;

    /**
     * @param keyType the key's type information
     * @throws IllegalArgumentException if {@code keyType} is null
     */
    public EventTypeInfo(TypeInformation<K> keyType) {
        super(keyType, Event.class, 3);
    }

    /**
     * @param config the job's serializer configuration (passed to the key type)
     * @return a new {@link EventSerializer}
     */
    @Override
    public TypeSerializer<Event<K>> createSerializer(SerializerConfig config) {
        return new EventSerializer<>(keyType().createSerializer(config));
    }

    /**
     * Lets Flink's type extraction find {@link EventTypeInfo} for {@code Event<K>} wherever it can see {@code K}
     * (the {@code @TypeInfo} annotation on {@link Event}).
     *
     * @param <K> the key type
     */
    public static final class Factory<K> extends TypeInfoFactory<Event<K>> {
        /** Flink instantiates factories reflectively. */
        public Factory() {
        }

        /**
         * @throws org.apache.flink.api.common.functions.InvalidTypesException if {@code K} is unknown (a lambda)
         */
        @Override
        public TypeInformation<Event<K>> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new EventTypeInfo<>(keyParameter(genericParameters, "Event"));
        }
    }
}
