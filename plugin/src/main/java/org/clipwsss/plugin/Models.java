package org.clipwsss.plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.models.ModelStore;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.clipwsss.runtime.session.SessionFactory;

/**
 * The models and pipelines Fiji commands, macros and scripts use: opened once and kept (a model folder,
 * its sessions and the text embeddings of every prompt already encoded), on the process-wide session
 * factory that is closed when Fiji exits.
 */
public final class Models {
    private static final Map<String, ClipModel> MODELS = new HashMap<>();
    private static final Map<String, Pipeline> PIPELINES = new HashMap<>();
    private static String defaultModel;

    private Models() {
    }

    /** The model used when a command names none (set by scripts with {@code ClipWsss.model(...)}). */
    public static synchronized void setDefault(String spec) {
        defaultModel = spec;
    }

    /**
     * A model folder path, or the name of a model installed with Manage Models; empty means the default:
     * the one set by a script, else the system property {@code clipwsss.model}, else the first installed model.
     */
    public static synchronized Path resolve(String spec) {
        String s = spec == null || spec.isBlank() ? defaultModel : spec.trim();
        if (s == null || s.isBlank()) {
            s = System.getProperty("clipwsss.model");
        }
        ModelStore store = new ModelStore(ModelStore.defaultFolder());
        if (s == null || s.isBlank()) {
            if (store.installed().isEmpty()) {
                throw new ClipWsssException("no CLIP model: install one with Plugins>CLIP WSSS>Manage Models... "
                        + "or give a model folder");
            }
            return store.installed().get(0).folder();
        }
        Path p = Path.of(s);
        return Files.isDirectory(p) ? p : store.resolve(s);
    }

    public static synchronized ClipModel open(String spec) {
        Path folder = resolve(spec).toAbsolutePath().normalize();
        return MODELS.computeIfAbsent(folder.toString(), k -> ClipModel.open(folder,
                ClipModel.Options.defaults().withSessions(SessionFactory.shared())));
    }

    /** A pipeline for the model and settings, reused while they stay the same (its text embeddings too). */
    public static synchronized Pipeline pipeline(String spec, PipelineSettings settings) {
        ClipModel model = open(spec);
        String key = model.folder().dir() + "|" + settings;
        return PIPELINES.computeIfAbsent(key, k -> Pipeline.create(model, settings));
    }
}
