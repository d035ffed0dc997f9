package org.clipwsss.training.adapters;

import org.clipwsss.runtime.clip.Adapters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.Fixtures;
import org.clipwsss.TinyModel;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.training.optim.Optimizer;
import org.clipwsss.training.optim.Schedule;
import org.clipwsss.training.prompts.PromptData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adapter training on clip-tiny (E = 32) with the reference images and soft mask. */
class AdapterTrainerTest {
    static final int S = 224;
    static final List<String> CLASSES = List.of("cat", "dog");
    @TempDir
    static Path shared;
    static TinyModel tiny;
    static PromptData data;

    @BeforeAll
    static void setUp() throws Exception {
        tiny = new TinyModel(shared.resolve("cache"));
        writeTensors(shared, new float[] {1, 0, 1, 1});
        data = PromptData.load(shared.resolve("x.npy"), shared.resolve("m.npy"), shared.resolve("y.npy"), S, CLASSES);
    }

    @AfterAll
    static void tearDown() {
        tiny.close();
    }

    /** X: the two reference images; M: the soft mask and its complement; Y as given. */
    static void writeTensors(Path dir, float[] targets) throws Exception {
        NpyArray px = Fixtures.reference("clip-tiny", "pixel_values");
        float[] soft = Fixtures.reference("clip-tiny", "soft_mask").floats();
        int plane = S * S;
        float[] m = new float[2 * 2 * plane];
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < plane; i++) {
                m[(n * 2) * plane + i] = soft[n * plane + i];
                m[(n * 2 + 1) * plane + i] = 1 - soft[n * plane + i];
            }
        }
        Npy.write(dir.resolve("x.npy"), px);
        Npy.write(dir.resolve("m.npy"), NpyArray.ofFloats(m, 2, 2, S, S));
        Npy.write(dir.resolve("y.npy"), NpyArray.ofFloats(targets, 2, 2));
    }

    private static AdapterTrainer.Options options(int steps, java.util.function.BooleanSupplier cancelled) {
        return new AdapterTrainer.Options(Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0.01f), Schedule.parse("cosine", 0.05f, steps), steps,
                10f, 24f, 3, 2, cancelled);
    }

    /**
     * clip-tiny's random weights put every "a photo of ..." text at cosine about -0.2 from every image: below
     * CLIMS's clamp (1e-4), where both terms are constant and have no gradient. The loss is then exactly
     * 10 * -log(1e-4) + 24 * -log(1 - 1e-4) and stays there.
     */
    @Test
    void onClipTinysOwnTextsEveryCosineIsBelowTheClamp(@TempDir Path out) {
        AdapterTrainer.Result r = new AdapterTrainer(tiny.model, out).train(CLASSES, List.of("cat", "puppy"), data,
                options(2, () -> false), (s, l) -> { });
        double saturated = 10 * -Math.log(1e-4f) + 24 * -Math.log(1 - 1e-4f);
        assertEquals(saturated, r.losses()[0], 1e-4 * saturated);
        assertEquals(r.losses()[0], r.losses()[1], "no gradient below the clamp");
    }

    /** The frozen clip-tiny embeddings with the text embeddings negated: cosines about +0.2, inside the clamp. */
    static AdapterTrainer.Frozen negatedText(AdapterTrainer trainer) {
        AdapterTrainer.Frozen f = trainer.frozen(AdapterTrainer.texts(CLASSES, List.of("cat", "puppy")), data);
        float[] t = f.text().clone();
        for (int i = 0; i < t.length; i++) {
            t[i] = -t[i];
        }
        return new AdapterTrainer.Frozen(f.pairs(), f.foreground(), f.background(), t, f.dim());
    }

    @Test
    void lossFallsAndJavaAdaptersEqualTheGraph(@TempDir Path out) throws Exception {
        AdapterTrainer trainer = new AdapterTrainer(tiny.model, out);
        AdapterTrainer.Frozen f = negatedText(trainer);
        long t0 = System.nanoTime();
        AdapterTrainer.Result r = trainer.train(f, options(8, () -> false), (s, l) -> { });
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] l = r.losses();
        assertEquals(8, l.length);
        assertTrue(l[7] < l[0] - 1e-2, "loss falls: " + java.util.Arrays.toString(l));
        System.out.printf("train adapters on clip-tiny embeddings (E=32, H=8, 3 pairs), 8 AdamW steps in %.3f s "
                + "(graph derivation included): %s%n", seconds, java.util.Arrays.toString(l));

        // the graph's adapted embeddings at the trained weights equal the Java adapters' (1e-5)
        Path file = out.resolve("forward.onnx");
        OnnxWriter.write(AdapterTrainer.graph(f, 8, 10f, 24f), file, Map.of());
        Map<String, NpyArray> g = new GraphRunner(tiny.sessions, file).run(r.adapters().tensors(),
                List.of("adapted_fg", "adapted_bg", "adapted_text"));
        int p = f.pairs().length;
        AdapterGraphTest.assertClose(g.get("adapted_fg").toFloats(), r.adapters().adaptImage(NpyArray.ofFloats(f.foreground(), p, 32)).floats(), 1e-5);
        AdapterGraphTest.assertClose(g.get("adapted_bg").toFloats(), r.adapters().adaptImage(NpyArray.ofFloats(f.background(), p, 32)).floats(), 1e-5);
        AdapterGraphTest.assertClose(g.get("adapted_text").toFloats(), r.adapters().adaptText(NpyArray.ofFloats(f.text(), 2, 32)).floats(), 1e-5);

        // saved and loaded back: the same numbers
        r.adapters().save(out, Map.of("alpha", 10));
        assertArrayEquals(r.adapters().flat(), Adapters.load(out).flat());
    }

    @Test
    void aStoppedRunResumesExactly(@TempDir Path a, @TempDir Path b) {
        AdapterTrainer.Frozen f = negatedText(new AdapterTrainer(tiny.model, a));
        AdapterTrainer.Result full = new AdapterTrainer(tiny.model, a).train(f, options(6, () -> false), (s, l) -> { });
        int[] seen = {0};
        AdapterTrainer.Result part = new AdapterTrainer(tiny.model, b).train(f, options(6, () -> seen[0] >= 3), (s, l) -> seen[0]++);
        assertEquals(3, part.losses().length, "cancelled after three steps");
        AdapterTrainer.Result resumed = new AdapterTrainer(tiny.model, b).train(f, options(6, () -> false), (s, l) -> { });
        assertArrayEquals(full.losses(), resumed.losses(), "same loss curve");
        assertArrayEquals(full.adapters().flat(), resumed.adapters().flat(), "same weights");
        assertTrue(full.losses()[5] < full.losses()[0], "and it learns: " + java.util.Arrays.toString(full.losses()));

        // other settings in the same folder are refused
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> new AdapterTrainer(tiny.model, b).train(f,
                new AdapterTrainer.Options(Optimizer.sgd(0, 0), Schedule.parse("constant", 1f, 6), 6, 10f, 24f, 3, 0, () -> false),
                (s, l) -> { }));
        assertTrue(e.getMessage().contains("checkpoint.json") && e.getMessage().contains("other settings"), e.getMessage());
    }

    @Test
    void corruptCheckpointAndEmptyDataGiveClearErrors(@TempDir Path dir) throws Exception {
        new AdapterTrainer(tiny.model, dir).train(CLASSES, null, data, options(1, () -> false), (s, l) -> { });
        Files.writeString(dir.resolve("checkpoint.json"), "{ broken");
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> new AdapterTrainer(tiny.model, dir).train(CLASSES, null, data, options(1, () -> false), (s, l) -> { }));
        assertTrue(e.getMessage().contains("checkpoint.json") && e.getMessage().contains("corrupt"), e.getMessage());

        Path other = dir.resolve("empty");
        Files.createDirectories(other);
        writeTensors(other, new float[] {0, 0, 0, 0});
        PromptData none = PromptData.load(other.resolve("x.npy"), other.resolve("m.npy"), other.resolve("y.npy"), S, CLASSES);
        e = assertThrows(ClipWsssException.class,
                () -> new AdapterTrainer(tiny.model, other).train(CLASSES, null, none, options(1, () -> false), (s, l) -> { }));
        assertTrue(e.getMessage().contains("empty data set"), e.getMessage());

        e = assertThrows(ClipWsssException.class,
                () -> new AdapterTrainer(tiny.model, other).train(CLASSES, List.of("one"), data, options(1, () -> false), (s, l) -> { }));
        assertTrue(e.getMessage().contains("one name per class"), e.getMessage());

        Files.writeString(other.resolve(Adapters.WEIGHTS), "not safetensors");
        e = assertThrows(ClipWsssException.class, () -> Adapters.load(other));
        assertTrue(e.getMessage().contains(Adapters.WEIGHTS), e.getMessage());
    }
}
