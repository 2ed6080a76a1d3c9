package org.plstm.jmh;

/**
 * A benchmark shape written {@code BxTxIxH}: batch, steps, input features, hidden units.
 *
 * @param batch  {@code B}
 * @param steps  {@code T}
 * @param inputs {@code I}
 * @param hidden {@code H}
 */
public record Shape(int batch, int steps, int inputs, int hidden) {

    /**
     * @param text {@code BxTxIxH}, e.g. {@code 128x784x1x32}
     * @return the shape
     * @throws IllegalArgumentException if the text is not four positive integers separated by {@code x}
     */
    public static Shape parse(String text) {
        String[] p = text.split("x");
        if (p.length != 4) {
            throw new IllegalArgumentException("shape: expected BxTxIxH, got " + text);
        }
        try {
            Shape s = new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                    Integer.parseInt(p[3]));
            if (s.batch < 1 || s.steps < 1 || s.inputs < 1 || s.hidden < 1) {
                throw new IllegalArgumentException("shape: expected positive sizes, got " + text);
            }
            return s;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shape: expected BxTxIxH, got " + text);
        }
    }

    /**
     * Floating-point operations of the gate matrix products, the convention of the report: {@code 2·B·4H·(I+H)·T}
     * for a forward pass; training counts three such products (forward, {@code dh}/{@code dx}, weight gradients).
     *
     * @param training forward + backward if true
     * @return FLOPs per pass over the batch
     */
    public double flops(boolean training) {
        return (training ? 3.0 : 1.0) * 2.0 * batch * 4.0 * hidden * (inputs + hidden) * steps;
    }

    @Override
    public String toString() {
        return batch + "x" + steps + "x" + inputs + "x" + hidden;
    }
}
