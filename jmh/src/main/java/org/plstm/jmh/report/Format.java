package org.plstm.jmh.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.OptionalDouble;

/** Number formatting for the report: three significant digits, thousands separators, SI suffixes from a million. */
final class Format {
    private Format() {
    }

    /**
     * @param v a value
     * @return {@code —} for NaN; from a million with a suffix ({@code 12.3 M}, {@code 1.23 G}); from a thousand as a
     *     whole number with separators ({@code 60,000}); below, three significant digits ({@code 15.0},
     *     {@code 0.0123})
     */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "-∞";
        }
        double a = Math.abs(v);
        if (a >= 1e6) {
            String[] suffix = {" M", " G", " T", " P"};
            int k = 0;
            double s = v / 1e6;
            while (Math.abs(s) >= 1000 && k < suffix.length - 1) {
                s /= 1000;
                k++;
            }
            return sig3(s) + suffix[k];
        }
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return sig3(v);
    }

    /**
     * @param v a threshold
     * @return whole numbers without decimals ({@code 15}), others as {@link #number(double)}
     */
    static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? String.format(Locale.ROOT, "%,.0f", v) : number(v);
    }

    /** @return {@link #number(double)} of the value, or {@code —} */
    static String number(OptionalDouble v) {
        return v.isPresent() ? number(v.getAsDouble()) : "—";
    }

    /**
     * @param v a ratio
     * @return e.g. {@code 23.4×}, or {@code —}
     */
    static String times(OptionalDouble v) {
        return v.isPresent() ? number(v.getAsDouble()) + "×" : "—";
    }

    /**
     * @param seconds a time
     * @param relErr  its relative error, NaN if unknown
     * @return milliseconds to three digits, with {@code ± n %} if the error is known
     */
    static String millis(double seconds, double relErr) {
        String ms = number(seconds * 1e3);
        return Double.isFinite(relErr) ? ms + " ± " + number(100 * Math.abs(relErr)) + " %" : ms;
    }

    private static String sig3(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal b = new BigDecimal(v).round(new MathContext(3));
        if (Math.abs(b.doubleValue()) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", b.doubleValue());
        }
        int integerDigits = b.precision() - b.scale();
        // three significant digits, trailing zeros included: 15.0, 7.50, 0.120
        return b.setScale(Math.max(0, 3 - integerDigits), java.math.RoundingMode.HALF_UP).toPlainString();
    }
}
