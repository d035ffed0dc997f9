package org.clipwsss.spark;

import java.util.HashMap;
import java.util.Map;
import org.clipwsss.cli.ModelOptions;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.session.SessionFactory;

/**
 * One loaded model per executor JVM (per model folder and thread count), shared by the tasks that run there; closed
 * when the JVM ends. ONNX Runtime sessions are safe to run from several threads, so concurrent tasks share it.
 */
final class ExecutorModels {
    /** A model and the sessions it runs in. */
    record Loaded(SessionFactory sessions, ClipModel model) { }

    private static final Map<String, Loaded> LOADED = new HashMap<>();
    private static int loads;

    private ExecutorModels() {
    }

    /**
     * @param shipped the model folder was shipped with the job (--ship-model): it is read from SparkFiles' copy here
     */
    static synchronized Loaded get(ModelOptions options, boolean shipped, int threads) {
        java.nio.file.Path dir = shipped ? java.nio.file.Path.of(org.apache.spark.SparkFiles.get(options.model().getFileName().toString()))
                : options.model();
        String key = dir.toAbsolutePath().normalize() + "|" + threads;
        Loaded l = LOADED.get(key);
        if (l == null) {
            SessionFactory sessions = options.sessions(threads);
            l = new Loaded(sessions, options.open(sessions, dir));
            LOADED.put(key, l);
            loads++;
            Loaded done = l;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                done.model().close();
                done.sessions().close();
            }, "clip-wsss-spark-model"));
        }
        return l;
    }

    /** How many models this JVM has loaded (the tests check: one per executor). */
    static synchronized String describe() {
        return "models loaded in this JVM: " + loads;
    }
}
