package org.plstm.flink.typeutils;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.plstm.flink.Prediction;

/**
 * Flink type information of {@link Prediction}{@code <K>}: serialised by {@link PredictionSerializer}, never by Kryo.
 * Immutable and serialisable.
 *
 * @param <K> the key type
 */
public final class PredictionTypeInfo<K> extends KeyedRecordTypeInfo<Prediction<K>, K> {
    private static final long serialVersionUID = 1L;

    /**
     * @param keyType the key's type information
     * @throws IllegalArgumentException if {@code keyType} is null
     */
    public PredictionTypeInfo(TypeInformation<K> keyType) {
        super(keyType, Prediction.class, 4);
    }

    /**
     * @param config the job's serializer configuration (passed to the key type)
     * @return a new {@link PredictionSerializer}
     */
    @Override
    public TypeSerializer<Prediction<K>> createSerializer(SerializerConfig config) {
        return new PredictionSerializer<>(keyType().createSerializer(config));
    }

    /**
     * Lets Flink's type extraction find {@link PredictionTypeInfo} for {@code Prediction<K>}.
     *
     * @param <K> the key type
     */
    public static final class Factory<K> extends TypeInfoFactory<Prediction<K>> {
        /** Flink instantiates factories reflectively. */
        public Factory() {
        }

        /**
         * @throws org.apache.flink.api.common.functions.InvalidTypesException if {@code K} is unknown (a lambda)
         */
        @Override
        public TypeInformation<Prediction<K>> createTypeInfo(Type t,
                Map<String, TypeInformation<?>> genericParameters) {
            return new PredictionTypeInfo<>(keyParameter(genericParameters, "Prediction"));
        }
    }
}
