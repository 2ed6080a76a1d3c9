package org.plstm.flink.typeutils;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.plstm.flink.RejectedEvent;

/**
 * Flink type information of {@link RejectedEvent}{@code <K>}: serialised by {@link RejectedEventSerializer}, never by
 * Kryo. Immutable and serialisable.
 *
 * @param <K> the key type
 */
public final class RejectedEventTypeInfo<K> extends KeyedRecordTypeInfo<RejectedEvent<K>, K> {
    private static final long serialVersionUID = 1L;

    /**
     * @param keyType the key's type information
     * @throws IllegalArgumentException if {@code keyType} is null
     */
    public RejectedEventTypeInfo(TypeInformation<K> keyType) {
        super(keyType, RejectedEvent.class, 3);
    }

    /**
     * @param config the job's serializer configuration (passed to the key type)
     * @return a new {@link RejectedEventSerializer}
     */
    @Override
    public TypeSerializer<RejectedEvent<K>> createSerializer(SerializerConfig config) {
        return new RejectedEventSerializer<>(new EventSerializer<>(keyType().createSerializer(config)));
    }

    /**
     * Lets Flink's type extraction find {@link RejectedEventTypeInfo} for {@code RejectedEvent<K>}.
     *
     * @param <K> the key type
     */
    public static final class Factory<K> extends TypeInfoFactory<RejectedEvent<K>> {
        /** Flink instantiates factories reflectively. */
        public Factory() {
        }

        /**
         * @throws org.apache.flink.api.common.functions.InvalidTypesException if {@code K} is unknown (a lambda)
         */
        @Override
        public TypeInformation<RejectedEvent<K>> createTypeInfo(Type t,
                Map<String, TypeInformation<?>> genericParameters) {
            return new RejectedEventTypeInfo<>(keyParameter(genericParameters, "RejectedEvent"));
        }
    }
}
