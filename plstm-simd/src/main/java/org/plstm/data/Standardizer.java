package org.plstm.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.plstm.Check;

/**
 * Per-feature standardisation {@code x' = (x − mean)/std}, fitted on the training split only and stored in the
 * checkpoint so that evaluation and prediction apply the same transform.
 *
 * <ul>
 *   <li>Statistics over every event of the training sequences (each event weighs the same, so long sequences weigh
 *       more), computed in double; {@code std} is the population standard deviation. A constant feature
 *       ({@code std < 1e-12·max(1, |mean|)}) gets {@code std = 1}: it becomes 0 everywhere, as in training.</li>
 *   <li>Time is not standardised: the Phased LSTM's periods and shifts are in the data's time unit, and the phase
 *       depends on absolute times. Choose the time unit so that the initial periods fit the data's rhythms
 *       (e.g. milliseconds for the frequency task with periods from {@code exp(U(1, 6))}).</li>
 *   <li>Regression targets, when present, are standardised the same way ({@link #targetMean()},
 *       {@link #targetStd()}): the model predicts {@code (y − mean)/std}, and {@link #unscaleTarget} maps back.</li>
 * </ul>
 *
 * @param features   the feature column names, {@code I}
 * @param mean       {@code [I]} (copied in, and out by the accessor)
 * @param std        {@code [I]}, each {@code > 0} (copied in, and out by the accessor)
 * @param targetMean the regression targets' mean, or NaN for classification
 * @param targetStd  the regression targets' standard deviation ({@code > 0}), or NaN for classification
 */
public record Standardizer(List<String> features, double[] mean, double[] std, double targetMean, double targetStd) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * @throws IllegalArgumentException if an array is null, a feature name is null or repeated, the lengths differ, a
     *     value is not finite, a std is not positive, or exactly one of the target statistics is NaN
     */
    public Standardizer {
        Check.notNull("features", features);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int f = 0; f < features.size(); f++) {
            if (features.get(f) == null || !seen.add(features.get(f))) {
                throw new IllegalArgumentException("features: expected distinct non-null names, got "
                        + (features.get(f) == null ? "null" : "'" + features.get(f) + "' again") + " at feature " + f);
            }
        }
        Check.length("mean", mean, "I", features.size());
        Check.length("std", std, "I", features.size());
        Check.finite("mean", mean);
        for (int f = 0; f < std.length; f++) {
            if (!(std[f] > 0) || Double.isInfinite(std[f])) {
                throw new IllegalArgumentException("std: expected finite values > 0, got " + std[f] + " at feature "
                        + f);
            }
        }
        if (Double.isNaN(targetMean) != Double.isNaN(targetStd) || Double.isInfinite(targetMean)
                || !(Double.isNaN(targetStd) || targetStd > 0 && Double.isFinite(targetStd))) {
            throw new IllegalArgumentException("targetMean, targetStd: expected both NaN (classification) or a finite "
                    + "mean and a finite std > 0, got " + targetMean + ", " + targetStd);
        }
        features = List.copyOf(features);
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * Fits the statistics on training sequences.
     *
     * @param features   the feature names, {@code I}
     * @param train      the training sequences (at least one), each with {@code I} features
     * @param regression whether the labels are regression targets to standardise too (then each must be a number)
     * @return the statistics
     * @throws IllegalArgumentException if an argument or a sequence is null, {@code train} is empty, a sequence has
     *     another input size, or (regression) a label is missing or not a finite number
     */
    public static Standardizer fit(List<String> features, List<EventSequence> train, boolean regression) {
        Check.notNull("features", features);
        Check.noNulls("train", train);
        if (train.isEmpty()) {
            throw new IllegalArgumentException("train: expected at least one sequence, got none");
        }
        int in = features.size();
        double[] sum = new double[in];
        long n = 0;
        for (EventSequence s : train) {
            if (s.inputSize() != in) {
                throw new IllegalArgumentException("train: expected sequences of I=" + in + " features, got "
                        + s.inputSize() + " in sequence '" + s.id() + "'");
            }
            for (int k = 0; k < s.x().length; k++) {
                sum[k % in] += s.x()[k];
            }
            n += s.length();
        }
        double[] mean = new double[in];
        for (int f = 0; f < in; f++) {
            mean[f] = sum[f] / n;
        }
        double[] sq = new double[in];
        for (EventSequence s : train) {
            for (int k = 0; k < s.x().length; k++) {
                double d = s.x()[k] - mean[k % in];
                sq[k % in] += d * d;
            }
        }
        double[] std = new double[in];
        for (int f = 0; f < in; f++) {
            std[f] = safeStd(Math.sqrt(sq[f] / n), mean[f]);
        }
        double tm = Double.NaN;
        double ts = Double.NaN;
        if (regression) {
            double[] y = new double[train.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = target(train.get(i));
            }
            tm = 0;
            for (double v : y) {
                tm += v / y.length;
            }
            double v2 = 0;
            for (double v : y) {
                v2 += (v - tm) * (v - tm) / y.length;
            }
            ts = safeStd(Math.sqrt(v2), tm);
        }
        return new Standardizer(features, mean, std, tm, ts);
    }

    private static double safeStd(double std, double mean) {
        return std < 1e-12 * Math.max(1, Math.abs(mean)) ? 1.0 : std;
    }

    /**
     * @param s a sequence with a numeric label
     * @return the label as a number
     * @throws IllegalArgumentException if the label is missing or not a finite number
     */
    public static double target(EventSequence s) {
        String l = s.label();
        try {
            double v = Double.parseDouble(l == null ? "" : l);
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("label of sequence '" + s.id() + "': expected a finite number (a "
                + "regression target), got " + (l == null ? "none" : "'" + l + "'"));
    }

    /** @return a copy of {@code mean [I]} (the statistics cannot be changed after the constructor's checks) */
    @Override
    public double[] mean() {
        return mean.clone();
    }

    /** @return a copy of {@code std [I]} */
    @Override
    public double[] std() {
        return std.clone();
    }

    /**
     * @param o another object
     * @return whether it is a standardizer of the same features and statistics (arrays compared by content;
     *     {@link Double#compare} semantics, so two classification standardizers' NaN targets are equal)
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Standardizer s && features.equals(s.features) && java.util.Arrays.equals(mean, s.mean)
                && java.util.Arrays.equals(std, s.std) && Double.compare(targetMean, s.targetMean) == 0
                && Double.compare(targetStd, s.targetStd) == 0;
    }

    /** @return a hash of the features and the statistics' values */
    @Override
    public int hashCode() {
        return java.util.Objects.hash(features, java.util.Arrays.hashCode(mean), java.util.Arrays.hashCode(std),
                targetMean, targetStd);
    }

    /** @return whether target statistics are present (regression) */
    public boolean regression() {
        return !Double.isNaN(targetMean);
    }

    /**
     * @param s a sequence of {@code I} features
     * @return a copy of it with standardised features (time and label unchanged)
     * @throws IllegalArgumentException if its input size is not {@code I}, or a value standardises to an infinite
     *     one (far beyond the float32 range in units of the training data's std)
     */
    public EventSequence apply(EventSequence s) {
        Check.notNull("s", s);
        int in = features.size();
        if (s.inputSize() != in) {
            throw new IllegalArgumentException("s: expected I=" + in + " features " + features + ", got "
                    + s.inputSize() + " in sequence '" + s.id() + "'");
        }
        float[] x = new float[s.x().length];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) ((s.x()[k] - mean[k % in]) / std[k % in]);
            if (Float.isInfinite(x[k])) {
                throw new IllegalArgumentException("s: expected values that standardise to float32, got "
                        + s.x()[k] + " for feature '" + features.get(k % in) + "' at event " + k / in + " of sequence '"
                        + s.id() + "', which gives " + x[k] + " with mean " + mean[k % in] + " and std "
                        + std[k % in]);
            }
        }
        return s.withX(x);
    }

    /**
     * @param data sequences
     * @return each standardised ({@link #apply(EventSequence)}), same order
     * @throws IllegalArgumentException if {@code data} or a sequence is null, or as {@link #apply(EventSequence)}
     */
    public List<EventSequence> apply(List<EventSequence> data) {
        Check.noNulls("data", data);
        List<EventSequence> out = new ArrayList<>(data.size());
        for (EventSequence s : data) {
            out.add(apply(s));
        }
        return out;
    }

    /**
     * @param y a target in the data's unit
     * @return {@code (y − targetMean)/targetStd}
     */
    public double scaleTarget(double y) {
        return (y - targetMean) / targetStd;
    }

    /**
     * @param z a model output in standardised units
     * @return {@code z·targetStd + targetMean}, in the data's unit
     */
    public double unscaleTarget(double z) {
        return z * targetStd + targetMean;
    }

    /**
     * @return the statistics, e.g. {@code Standardizer{"features":["x"],"mean":[0.5],"std":[2.0]}} ({@link #toJson}
     *     after the type's name; the record's own form would print the arrays' identities)
     */
    @Override
    public String toString() {
        return "Standardizer" + toJson();
    }

    /** @return JSON for the checkpoint's metadata: {@code {"features":[...],"mean":[...],"std":[...],...}} */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode f = o.putArray("features");
        features.forEach(f::add);
        ArrayNode m = o.putArray("mean");
        ArrayNode s = o.putArray("std");
        for (int i = 0; i < mean.length; i++) {
            m.add(mean[i]);
            s.add(std[i]);
        }
        if (regression()) {
            o.put("target_mean", targetMean);
            o.put("target_std", targetStd);
        }
        return o.toString();
    }

    /**
     * @param json text written by {@link #toJson()}
     * @return the statistics
     * @throws IllegalArgumentException if the text is not such JSON (an object whose {@code features} are strings
     *     and whose {@code mean}, {@code std} and optional {@code target_mean}, {@code target_std} are numbers, one per
     *     feature), naming the field, or its values are invalid (as the constructor)
     */
    public static Standardizer fromJson(String json) {
        Check.notNull("json", json);
        try {
            JsonNode o = JSON.readTree(json);
            if (o == null || !o.isObject()) {
                throw new IllegalArgumentException("json: expected an object {\"features\":[...],\"mean\":[...],"
                        + "\"std\":[...]}, got " + (o == null ? "nothing" : o.getNodeType().toString().toLowerCase(
                                java.util.Locale.ROOT)));
            }
            JsonNode features = array(o, "features");
            List<String> f = new ArrayList<>();
            for (JsonNode n : features) {
                if (!n.isTextual()) {
                    throw new IllegalArgumentException("json.features: expected strings, got " + n);
                }
                f.add(n.textValue());
            }
            double[] m = numbers(o, "mean", f.size());
            double[] s = numbers(o, "std", f.size());
            double tm = o.has("target_mean") ? number(o.get("target_mean"), "target_mean") : Double.NaN;
            double ts = o.has("target_std") ? number(o.get("target_std"), "target_std") : Double.NaN;
            return new Standardizer(f, m, s, tm, ts);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("json: expected standardisation statistics, got malformed JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode array(JsonNode o, String field) {
        JsonNode a = o.get(field);
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("json." + field + ": expected an array, got "
                    + (a == null ? "none" : a.toString()));
        }
        return a;
    }

    private static double[] numbers(JsonNode o, String field, int count) {
        JsonNode a = array(o, field);
        if (a.size() != count) {
            throw new IllegalArgumentException("json." + field + ": expected " + count + " numbers (one per feature), "
                    + "got " + a.size());
        }
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = number(a.get(i), field + "[" + i + "]");
        }
        return out;
    }

    private static double number(JsonNode n, String field) {
        if (!n.isNumber()) {
            throw new IllegalArgumentException("json." + field + ": expected a number, got " + n);
        }
        return n.doubleValue();
    }
}
