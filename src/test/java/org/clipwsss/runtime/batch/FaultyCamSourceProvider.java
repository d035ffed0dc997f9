package org.clipwsss.runtime.batch;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.clipwsss.runtime.cam.BackgroundPrompts;
import org.clipwsss.runtime.cam.CamSource;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.ClassPrompt;
import org.clipwsss.runtime.cam.ImageContext;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.pipeline.CamSourceProvider;
import org.clipwsss.runtime.pipeline.PipelineSettings;

/**
 * A test CAM method ({@code --method faulty-test}, registered in the test resources' META-INF/services) that
 * throws what {@link #FAULTS} maps the image's width to, and gives flat maps otherwise: a fault inside one image,
 * of any kind, where the pipeline really runs.
 */
public final class FaultyCamSourceProvider implements CamSourceProvider {
    public static final String METHOD = "faulty-test";
    /** image width -> what computing its CAMs throws */
    public static final Map<Integer, Supplier<Throwable>> FAULTS = new ConcurrentHashMap<>();
    /** image widths whose CAMs come out with a NaN */
    public static final java.util.Set<Integer> NAN = ConcurrentHashMap.newKeySet();
    /** the classes each {@link CamSource#prepare} call got, in order */
    public static final List<List<String>> PREPARED = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** the label counts each prepare call got, in order */
    public static final List<List<Integer>> PREPARED_COUNTS = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** when set, what prepare throws */
    public static volatile Supplier<RuntimeException> prepareFault;

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public CamSource create(ClipModel model, PipelineSettings settings, TextEmbeddings text, BackgroundPrompts background) {
        return new CamSource() {
            @Override
            public Cams compute(ImageContext image, List<ClassPrompt> classes) {
                int w = image.image().width();
                int h = image.image().height();
                Supplier<Throwable> fault = FAULTS.get(w);
                if (fault != null) {
                    sneakyThrow(fault.get());
                }
                float[][] maps = new float[classes.size()][w * h];
                for (float[] m : maps) {
                    Arrays.fill(m, 0.75f);
                    if (NAN.contains(w)) {
                        m[w + 1] = Float.NaN;
                    }
                }
                return new Cams(w, h, classes.stream().map(ClassPrompt::label).toList(), maps);
            }

            @Override
            public void prepare(List<ClassPrompt> classes, java.util.SortedSet<Integer> labelCounts) {
                PREPARED.add(classes.stream().map(ClassPrompt::name).toList());
                PREPARED_COUNTS.add(List.copyOf(labelCounts));
                Supplier<RuntimeException> fault = prepareFault;
                if (fault != null) {
                    throw fault.get();
                }
            }

            @Override
            public boolean usesPromptNames() {
                return false;
            }

            @Override
            public String description() {
                return METHOD;
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }
}
