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
    /** A model and the sessions it runs in; {@code id} numbers the loads of this JVM (1, 2, ...). */
    record Loaded(SessionFactory sessions, ClipModel model, int id) { }

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
            loads++;
            l = new Loaded(sessions, options.open(sessions, dir), loads);
            LOADED.put(key, l);
            Loaded done = l;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                done.model().close();
                done.sessions().close();
            }, "clip-wsss-spark-model"));
        }
        return l;
    }

    /** Which of this JVM's loaded models a task used (the tests check that the tasks of an executor share one). */
    static String describe(Loaded l) {
        return "model load #" + l.id() + " of JVM " + ProcessHandle.current().pid();
    }
}
