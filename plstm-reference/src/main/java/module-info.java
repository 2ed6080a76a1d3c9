/**
 * The Phased LSTM model definition (configuration, parameters in the Keras layout, modes, the time gate, the
 * {@link org.plstm.Engine} contract) and the scalar double-precision reference implementation
 * ({@link org.plstm.reference}). No dependencies.
 */
module org.plstm.reference {
    exports org.plstm;
    exports org.plstm.reference;
}
