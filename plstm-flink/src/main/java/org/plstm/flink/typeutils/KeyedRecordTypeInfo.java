package org.plstm.flink.typeutils;

import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.plstm.Check;

/**
 * What the type informations of plstm-flink's records ({@code Event<K>}, {@code Prediction<K>},
 * {@code RejectedEvent<K>}) share: one generic parameter {@code K}, the key type, and a typed serializer built from the
 * key's. Immutable and serialisable, as Flink requires.
 *
 * @param <T> the record type
 * @param <K> the key type
 */
public abstract class KeyedRecordTypeInfo<T, K> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    /** The key's type information. */
    private final TypeInformation<K> keyType;
    /** The record's class. */
    private final Class<?> typeClass;
    /** The record's number of fields (Flink's arity). */
    private final int arity;

    KeyedRecordTypeInfo(TypeInformation<K> keyType, Class<?> typeClass, int arity) {
        this.keyType = Check.notNull("keyType", keyType);
        this.typeClass = typeClass;
        this.arity = arity;
    }

    /** @return the key's type information */
    public final TypeInformation<K> keyType() {
        return keyType;
    }

    /** @return false: a record of several fields */
    @Override
    public final boolean isBasicType() {
        return false;
    }

    /** @return false: not a Flink tuple */
    @Override
    public final boolean isTupleType() {
        return false;
    }

    /** @return the record's number of fields */
    @Override
    public final int getArity() {
        return arity;
    }

    /** @return the record's fields, the key's counted as the key type counts them */
    @Override
    public final int getTotalFields() {
        return arity - 1 + keyType.getTotalFields();
    }

    /** @return the record class */
    @Override
    @SuppressWarnings("unchecked")
    public final Class<T> getTypeClass() {
        return (Class<T>) typeClass;
    }

    /** @return {@code {K: the key type}} */
    @Override
    public final Map<String, TypeInformation<?>> getGenericParameters() {
        return Map.of("K", keyType);
    }

    /** @return false: key streams by the record's key, not by the record */
    @Override
    public final boolean isKeyType() {
        return false;
    }

    @Override
    public final String toString() {
        return typeClass.getSimpleName() + "<" + keyType + ">";
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof KeyedRecordTypeInfo<?, ?> other && other.canEqual(this) && typeClass == other.typeClass
                && keyType.equals(other.keyType);
    }

    @Override
    public final int hashCode() {
        return typeClass.hashCode() * 31 + keyType.hashCode();
    }

    @Override
    public final boolean canEqual(Object o) {
        return o != null && o.getClass() == getClass();
    }

    /** The key type a {@code TypeInfoFactory} was given, or an error that says how to give it. */
    @SuppressWarnings("unchecked")
    static <K> TypeInformation<K> keyParameter(Map<String, TypeInformation<?>> genericParameters, String record) {
        TypeInformation<?> key = genericParameters.get("K");
        if (key == null) {
            throw new org.apache.flink.api.common.functions.InvalidTypesException("the key type of " + record
                    + "<K> could not be determined (a lambda hides it); give it explicitly, e.g. .returns("
                    + record + ".typeInfo(Types.STRING))");
        }
        return (TypeInformation<K>) key;
    }
}
