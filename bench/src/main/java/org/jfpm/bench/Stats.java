package org.jfpm.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Order statistics of a small sample (nearest-rank percentiles; the median averages the middle pair). */
record Stats(int n, double min, double median, double p90, double max) {

    static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values: expected at least one measurement");
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        double p90 = v.get(Math.max(0, (int) Math.ceil(0.9 * n) - 1));
        return new Stats(n, v.get(0), median, p90, v.get(n - 1));
    }

    /** "median 612 ms [598–640], n=5" with the given number of decimals. */
    String describe(int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, "median " + f + " ms [" + f + "–" + f + "], n=%d", median, min, max, n);
    }

    /** "median 52.1 ms, p90 58.3 ms [49.0–61.2], n=15". */
    String describeWithP90(int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, "median " + f + " ms, p90 " + f + " ms [" + f + "–" + f + "], n=%d",
                median, p90, min, max, n);
    }
}
