package org.clipwsss.runtime.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.clipwsss.runtime.cam.BackgroundPrompts;
import org.clipwsss.runtime.cam.CamSource;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.ClassPrompt;
import org.clipwsss.runtime.cam.ClipDenseCams;
import org.clipwsss.runtime.cam.DenseFeatures;
import org.clipwsss.runtime.cam.ImageContext;
import org.clipwsss.runtime.cam.OnnxCams;
import org.clipwsss.runtime.cam.PromptRefinement;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.Adapters;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.image.ClipPreprocessor;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.mask.BackgroundScore;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PseudoMasks;
import org.clipwsss.runtime.prompts.BackgroundWords;
import org.clipwsss.runtime.prompts.SynonymLists;
import org.clipwsss.runtime.select.SynonymScores;
import org.clipwsss.runtime.select.SynonymSelector;

/**
 * One image and its labels in, CAMs and a pseudo mask out: CAMs with the class names, POLE synonym
 * selection on those CAMs, CAMs again with the chosen names, background-prompt refinement, then the mask.
 * Text embeddings are shared across images (one encoding per distinct prompt per run). Trained POLE adapters,
 * when the settings name them, are used in synonym selection and refinement (not in the training-free CAMs).
 */
public final class Pipeline {
    private final PipelineSettings settings;
    private final TextEmbeddings text;
    private final CamSource cams;
    private final PromptRefinement refinement;
    private final SynonymLists synonyms;
    private final SynonymSelector selector;
    private final Function<Raster8, DenseFeatures> extractor;
    private final StageTimes times = new StageTimes();

    private Pipeline(PipelineSettings settings, TextEmbeddings text, CamSource cams, PromptRefinement refinement,
            SynonymLists synonyms, SynonymSelector selector, Function<Raster8, DenseFeatures> extractor) {
        this.settings = settings;
        this.text = text;
        this.cams = cams;
        this.refinement = refinement;
        this.synonyms = synonyms;
        this.selector = selector;
        this.extractor = extractor;
    }

    public static Pipeline create(ClipModel model, PipelineSettings s) {
        TextEmbeddings text = TextEmbeddings.of(model);
        ClipPreprocessor pre = model.folder().preprocessor();
        BackgroundPrompts background = background(s, text);
        ClipModel.Dense mode = s.method().equals("maskclip") ? ClipModel.Dense.MASKCLIP : ClipModel.Dense.CLEARCLIP;
        int size = s.inputSize() == 0 ? model.config().vision().imageSize() : s.inputSize();
        Function<Raster8, DenseFeatures> extractor = image -> DenseFeatures.compute(model, mode, pre, image, size,
                s.windowOverlap(), s.maxWindows(), s.gridBudget());
        CamSource source;
        if (s.clipCams()) {
            source = new ClipDenseCams(s.method(), text, s.camTemplate(), background, s.logitScale());
        } else if (s.method().equals("onnx")) {
            source = new OnnxCams(s.camModel(), model.sessions());
        } else {
            source = CamSourceProvider.providers().get(s.method()).create(model, s, text, background);
        }
        Adapters adapters = s.adapters() == null ? null : Adapters.load(s.adapters());
        if (adapters != null && adapters.dim() != model.config().projectionDim()) {
            throw org.clipwsss.runtime.ClipWsssException.file(s.adapters(), "holds adapters for embeddings of "
                    + adapters.dim() + ", the model's are " + model.config().projectionDim());
        }
        TextEmbeddings adaptedText = adapters == null ? text : TextEmbeddings.of(model, adapters);
        boolean refine = s.refineExponent() > 0 && !s.background().equals("none");
        PromptRefinement refinement = refine
                ? new PromptRefinement(adaptedText, s.camTemplate(), background, s.logitScale(), s.refineExponent(), adapters) : null;
        SynonymLists lists = !s.synonymsOn() ? null
                : java.nio.file.Files.isRegularFile(Path.of(s.synonyms())) ? SynonymLists.load(Path.of(s.synonyms()))
                : SynonymLists.bundled(s.synonyms());
        SynonymSelector selector = lists == null ? null
                : new SynonymSelector(model, pre, adaptedText, s.selectionTemplate(), s.logitScale(), adapters);
        return new Pipeline(s, text, source, refinement, lists, selector, extractor);
    }

    static BackgroundPrompts background(PipelineSettings s, TextEmbeddings text) {
        String spec = s.background();
        if (spec.equals("none")) {
            return BackgroundPrompts.none();
        }
        if (spec.endsWith(".npy")) {
            Path npy = Path.of(spec);
            String name = npy.getFileName().toString();
            Path json = npy.resolveSibling(name.substring(0, name.length() - 4) + ".json");
            // train-prompts writes prompt_embeds.npy with the classes in prompts.json beside it
            if (!java.nio.file.Files.isRegularFile(json) && java.nio.file.Files.isRegularFile(npy.resolveSibling("prompts.json"))) {
                json = npy.resolveSibling("prompts.json");
            }
            return BackgroundPrompts.learned(npy, json);
        }
        return BackgroundPrompts.words(BackgroundWords.named(spec), s.camTemplate(), text);
    }

    public PipelineSettings settings() {
        return settings;
    }

    public StageTimes times() {
        return times;
    }

    public TextEmbeddings text() {
        return text;
    }

    public String describe() {
        return cams.description() + (refinement == null ? "" : "; refinement: " + refinement.description());
    }

    /**
     * Readies the CAM source for these labels before a batch's first image ({@link org.clipwsss.runtime.cam.CamSource#prepare}),
     * with the names {@link #process} would give them first, and for images of these numbers of labels; timed as the
     * stage {@code prepare}.
     */
    public void prepare(List<String> labels, Map<String, String> fixedNames, java.util.SortedSet<Integer> labelCounts) {
        List<ClassPrompt> prompts = prompts(labels, fixedNames);
        times.time("prepare", () -> {
            cams.prepare(prompts, labelCounts);
            return null;
        });
    }

    private static List<ClassPrompt> prompts(List<String> labels, Map<String, String> fixedNames) {
        List<ClassPrompt> prompts = new ArrayList<>();
        for (String l : labels) {
            prompts.add(new ClassPrompt(l, fixedNames == null ? l : fixedNames.getOrDefault(l, l)));
        }
        return prompts;
    }

    /**
     * Processes one image. {@code fixedNames} (label -> name, from a per-dataset selection) replaces the
     * per-image selection when not null.
     */
    public ImageResult process(Raster8 image, List<String> labels, Map<String, String> fixedNames) {
        ImageContext ctx = context(image);
        List<ClassPrompt> prompts = prompts(labels, fixedNames);
        List<SynonymScores> selections = List.of();
        Cams result = times.time("cams", () -> cams.compute(ctx, prompts));
        if (selector != null && fixedNames == null && !labels.isEmpty()) {
            Cams initial = result;
            selections = times.time("synonym_selection", () -> selector.select(image, initial, candidates(labels)));
            boolean changed = false;
            for (int k = 0; k < prompts.size(); k++) {
                String chosen = selections.get(k).selected();
                changed |= !chosen.equals(prompts.get(k).name());
                prompts.set(k, new ClassPrompt(labels.get(k), chosen));
            }
            if (changed && cams.usesPromptNames()) {
                result = times.time("cams", () -> cams.compute(ctx, prompts));
            }
        }
        if (refinement != null) {
            Cams unrefined = result;
            result = times.time("refinement", () -> refinement.apply(ctx, unrefined, prompts));
        }
        requireFinite(result);
        return new ImageResult(result, prompts, selections);
    }

    /** A CAM with NaN or infinite values (a broken CAM network, weights with NaN) is an error, never a mask. */
    private void requireFinite(Cams c) {
        for (int k = 0; k < c.maps().length; k++) {
            float[] m = c.maps()[k];
            for (int i = 0; i < m.length; i++) {
                if (!Float.isFinite(m[i])) {
                    throw new org.clipwsss.runtime.ClipWsssException("the CAM of '" + c.classes().get(k) + "' is " + m[i] + " at x = "
                            + i % c.width() + ", y = " + i / c.width() + " (CAM source: " + cams.description() + ")");
                }
            }
        }
    }

    /** Per-dataset mode, first pass: the selection scores of one image (CAMs with the class names). */
    public List<SynonymScores> scoreSynonyms(Raster8 image, List<String> labels) {
        if (selector == null || labels.isEmpty()) {
            return List.of();
        }
        ImageContext ctx = context(image);
        List<ClassPrompt> prompts = labels.stream().map(ClassPrompt::of).toList();
        Cams initial = times.time("cams", () -> cams.compute(ctx, prompts));
        return times.time("synonym_selection", () -> selector.select(image, initial, candidates(labels)));
    }

    /** The pseudo mask: argmax over [background, the image's classes]; values are {@code classIndex}. */
    public LabelImage mask(Cams c, int[] classIndex) {
        if (settings.crf()) {
            throw new IllegalStateException("the CRF needs the image: use mask(cams, classIndex, image)");
        }
        BackgroundScore bg = settings.bgThreshold() >= 0 ? BackgroundScore.constant(settings.bgThreshold())
                : BackgroundScore.power(settings.bgPower());
        return times.time("masks", () -> PseudoMasks.of(c.maps(), c.width(), c.height(), classIndex, bg,
                settings.ignoreMargin()));
    }

    /**
     * The pseudo mask of an image: with the CRF setting, CLIP-ES's dense CRF on the image's colours and its CAMs
     * (0 background, classIndex[k] for CAM k, 255 where no label reaches 0.95); otherwise {@link #mask(Cams, int[])}.
     */
    public LabelImage mask(Cams c, int[] classIndex, Raster8 image) {
        if (!settings.crf()) {
            return mask(c, classIndex);
        }
        if (image.width() != c.width() || image.height() != c.height()) {
            throw new IllegalArgumentException("CAMs of " + c.width() + "x" + c.height() + " for an image of "
                    + image.width() + "x" + image.height());
        }
        return times.time("crf", () -> org.clipwsss.runtime.crf.ClipEsCrf.run(image, c.maps(),
                org.clipwsss.runtime.crf.ClipEsCrf.Settings.clipEs().withBgPower(settings.bgPower())).mask(classIndex));
    }

    private ImageContext context(Raster8 image) {
        boolean needsDense = cams instanceof ClipDenseCams || refinement != null;
        ImageContext ctx = new ImageContext(image, extractor);
        if (needsDense) {
            times.time("dense_features", ctx::dense);
        }
        return ctx;
    }

    private List<List<String>> candidates(List<String> labels) {
        return labels.stream().map(synonyms::candidates).toList();
    }
}
