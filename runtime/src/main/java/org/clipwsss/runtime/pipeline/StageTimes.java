package org.clipwsss.runtime.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Wall time and call counts per pipeline stage (for run.json and the benchmark). */
public final class StageTimes {
    private final Map<String, long[]> stages = new LinkedHashMap<>();

    public <T> T time(String stage, Supplier<T> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            add(stage, System.nanoTime() - t0);
        }
    }

    public synchronized void add(String stage, long nanos) {
        long[] s = stages.computeIfAbsent(stage, k -> new long[2]);
        s[0] += nanos;
        s[1]++;
    }

    /** Forgets everything measured so far (e.g. after a warm-up). */
    public synchronized void reset() {
        stages.clear();
    }

    /** stage -> {seconds, calls} */
    public synchronized Map<String, Map<String, Number>> summary() {
        Map<String, Map<String, Number>> out = new LinkedHashMap<>();
        stages.forEach((k, v) -> {
            Map<String, Number> m = new LinkedHashMap<>();
            m.put("seconds", v[0] / 1e9);
            m.put("calls", v[1]);
            out.put(k, m);
        });
        return out;
    }

    public synchronized double seconds(String stage) {
        long[] s = stages.get(stage);
        return s == null ? 0 : s[0] / 1e9;
    }
}
