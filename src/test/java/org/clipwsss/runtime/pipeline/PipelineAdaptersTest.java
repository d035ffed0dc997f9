package org.clipwsss.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.clip.Adapters;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.image.ClipPreprocessor;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.prompts.SynonymLists;
import org.clipwsss.runtime.select.SynonymScores;
import org.clipwsss.runtime.select.SynonymSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trained POLE adapters in the pipeline: synonym selection and refinement go through them. */
class PipelineAdaptersTest {
    @TempDir
    static Path cache;
    static TinyModel tiny;
    static ClipModel model;
    static final List<String> LABELS = List.of("cat", "dog");

    @BeforeAll
    static void open() {
        tiny = new TinyModel(cache);
        model = tiny.model;
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    /** Seeded adapters with both residual ratios set to {@code ratio}, saved in {@code dir}. */
    static Path adapters(Path dir, float ratio) {
        int e = model.config().projectionDim();
        int h = Adapters.hiddenFor(e);
        float[] p = Adapters.init(e, h, 7).flat();
        p[2 * h * e] = ratio;
        p[p.length - 1] = ratio;
        Adapters.fromFlat(e, h, p).save(dir, Map.of());
        return dir;
    }

    @Test
    void identityAdaptersChangeNothing(@TempDir Path dir) {
        Raster8 img = PipelineTest.image("2007_001763.jpg");
        ImageResult plain = Pipeline.create(model, PipelineSettings.defaults()).process(img, LABELS, null);
        ImageResult adapted = Pipeline.create(model, PipelineSettings.defaults().withTrained(adapters(dir, 0f), false))
                .process(img, LABELS, null);
        for (int k = 0; k < LABELS.size(); k++) {
            assertArrayEquals(plain.selections().get(k).probability(), adapted.selections().get(k).probability(), 1e-5f);
            assertArrayEquals(plain.cams().maps()[k], adapted.cams().maps()[k], 1e-4f);
        }
    }

    @Test
    void selectionScoresAreThoseOfTheAdaptedEmbeddings(@TempDir Path dir) {
        Raster8 img = PipelineTest.image("2007_001763.jpg");
        Adapters a = Adapters.load(adapters(dir, 1f));
        ImageResult r = Pipeline.create(model, PipelineSettings.defaults().withTrained(dir, false)).process(img, LABELS, null);
        // independently: the CAMs with the class names, the masked input, both adapters, cosines
        Cams initial = Pipeline.create(model, PipelineSettings.defaults().withSynonyms("none", "image").withBackground("none", 0))
                .process(img, LABELS, null).cams();
        ClipPreprocessor pre = model.folder().preprocessor();
        float[] x = pre.preprocess(img);
        float[][] masks = SynonymSelector.masksAtInput(pre, initial);
        int s = pre.size();
        int e = model.config().projectionDim();
        for (int k = 0; k < LABELS.size(); k++) {
            float[] px = new float[x.length];
            for (int i = 0; i < px.length; i++) {
                px[i] = x[i] * masks[k][i % (s * s)];
            }
            float[] v = a.adaptImage(model.imageEmbeds(NpyArray.ofFloats(px, 1, 3, s, s))).toFloats();
            List<String> cands = SynonymLists.bundled("gpt_prompts").candidates(LABELS.get(k));
            float[] t = a.adaptText(model.textEmbeds(cands.stream().map(c -> "a photo of " + c + ".").toList())).toFloats();
            SynonymScores got = r.selections().get(k);
            for (int j = 0; j < cands.size(); j++) {
                double dot = 0;
                for (int d = 0; d < e; d++) {
                    dot += v[d] * t[j * e + d];
                }
                assertEquals(dot, got.cosine()[j], 1e-5, LABELS.get(k) + " / " + cands.get(j));
            }
        }
        ImageResult plain = Pipeline.create(model, PipelineSettings.defaults()).process(img, LABELS, null);
        assertTrue(maxDiff(plain.selections().get(0).cosine(), r.selections().get(0).cosine()) > 1e-3,
                "the adapters must change the scores");
    }

    @Test
    void refinementGoesThroughTheAdapters(@TempDir Path dir) {
        Raster8 img = PipelineTest.image("2007_001763.jpg");
        PipelineSettings noSynonyms = PipelineSettings.defaults().withSynonyms("none", "image");
        Cams plain = Pipeline.create(model, noSynonyms).process(img, LABELS, null).cams();
        Cams adapted = Pipeline.create(model, noSynonyms.withTrained(adapters(dir, 0.8f), false)).process(img, LABELS, null).cams();
        assertTrue(maxDiff(plain.maps()[0], adapted.maps()[0]) > 1e-3, "refined maps must differ with adapters");
        for (float[] m : adapted.maps()) {
            for (float v : m) {
                assertTrue(v >= 0 && v <= 1);
            }
        }
    }

    @Test
    void missingOrMismatchedAdaptersAreClearErrors(@TempDir Path dir) throws Exception {
        ClipWsssException missing = assertThrows(ClipWsssException.class,
                () -> Pipeline.create(model, PipelineSettings.defaults().withTrained(dir, false)));
        assertTrue(missing.getMessage().contains("adapters.safetensors"), missing.getMessage());
        Adapters.init(64, 16, 1).save(dir, Map.of());
        ClipWsssException wrong = assertThrows(ClipWsssException.class,
                () -> Pipeline.create(model, PipelineSettings.defaults().withTrained(dir, false)));
        assertTrue(wrong.getMessage().contains("embeddings of 64"), wrong.getMessage());
        Files.writeString(dir.resolve(Adapters.WEIGHTS), "not safetensors");
        assertThrows(ClipWsssException.class, () -> Pipeline.create(model, PipelineSettings.defaults().withTrained(dir, false)));
    }

    private static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
