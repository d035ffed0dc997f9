package org.clipwsss.runtime.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.clipwsss.runtime.cam.BackgroundPrompts;
import org.clipwsss.runtime.cam.CamSource;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.ClipModel;

/**
 * A CAM method beyond the built-in ones (clearclip, maskclip, onnx), found with {@link ServiceLoader} under
 * {@code META-INF/services/org.clipwsss.runtime.pipeline.CamSourceProvider}. It lets code that depends on the
 * runtime (the training module's Grad-CAM, for one) offer {@code --method NAME} without the runtime depending on
 * it.
 */
public interface CamSourceProvider {
    /** The method name, as given to {@code --method}. */
    String method();

    /** The CAM source for a pipeline; {@code text} and {@code background} are the pipeline's own. */
    CamSource create(ClipModel model, PipelineSettings settings, TextEmbeddings text, BackgroundPrompts background);

    /** The CAM methods every build has. */
    List<String> BUILT_IN = List.of("clearclip", "maskclip", "onnx");

    /** The providers on the class path, by method name (first one wins), loaded once. */
    static Map<String, CamSourceProvider> providers() {
        return Holder.PROVIDERS;
    }

    /** The built-in methods followed by those of the providers. */
    static List<String> methods() {
        List<String> all = new ArrayList<>(BUILT_IN);
        for (String m : providers().keySet()) {
            if (!all.contains(m)) {
                all.add(m);
            }
        }
        return all;
    }

    /** Lazily loaded provider table (with this interface's class loader, so it works inside Fiji too). */
    final class Holder {
        static final Map<String, CamSourceProvider> PROVIDERS = load();

        private Holder() {
        }

        private static Map<String, CamSourceProvider> load() {
            Map<String, CamSourceProvider> out = new LinkedHashMap<>();
            for (CamSourceProvider p : ServiceLoader.load(CamSourceProvider.class, CamSourceProvider.class.getClassLoader())) {
                out.putIfAbsent(p.method(), p);
            }
            return java.util.Collections.unmodifiableMap(out);
        }
    }
}
