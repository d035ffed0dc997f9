package org.clipwsss.training.prompts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.clipwsss.Fixtures;
import org.clipwsss.cli.Main;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.Similarity;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.text.ClipTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-prompts in the form the issue names, on clip-tiny: the loss is SemPLeS's, falls, and the result loads. */
class TrainPromptsTest {
    static final int S = 224;
    static final int W = 32;
    static final int L = 4;
    @TempDir
    Path tmp;

    private String[] cli(int expected, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(expected, code, "stdout " + out + "\nstderr " + err);
        return new String[] {out.toString(), err.toString()};
    }

    /** X: the two reference images; M: the soft mask and its complement; Y: class a in both, b in the second. */
    private String[] tensors(float[] targets) throws Exception {
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
        float[] p0 = new float[2 * L * W];
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < p0.length; i++) {
            p0[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        Npy.write(tmp.resolve("x.npy"), px);
        Npy.write(tmp.resolve("m.npy"), NpyArray.ofFloats(m, 2, 2, S, S));
        Npy.write(tmp.resolve("y.npy"), NpyArray.ofFloats(targets, 2, 2));
        Npy.write(tmp.resolve("p0.npy"), NpyArray.ofFloats(p0, 2, L, W));
        return new String[] {"train-prompts", "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(),
            "--classes", "cat;dog", "--pixels", tmp.resolve("x.npy").toString(), "--masks", tmp.resolve("m.npy").toString(),
            "--targets", tmp.resolve("y.npy").toString(), "--init", tmp.resolve("p0.npy").toString(), "--optimizer", "sgd"};
    }

    @Test
    void lossMatchesAnIndependentComputationAndFalls() throws Exception {
        String[] base = tensors(new float[] {1, 0, 1, 1});
        Path out = tmp.resolve("out");
        String[] args = concat(base, "--lr", "20", "--steps", "6", "--out", out.toString());
        cli(0, args);
        List<String> rows = Files.readAllLines(out.resolve("loss.csv"));
        assertEquals("step,loss", rows.get(0));
        assertEquals(7, rows.size());
        double first = Double.parseDouble(rows.get(1).split(",")[1]);
        double last = Double.parseDouble(rows.get(6).split(",")[1]);
        assertTrue(last < first - 1e-3, "loss falls: " + rows);
        System.out.println("train-prompts on clip-tiny, loss by step: " + rows.subList(1, rows.size()));
        assertEquals(independentLoss(), first, 1e-4, "step-0 loss equals SemPLeS's formula computed from the encoders");
        assertArrayEquals(new long[] {2, L, W}, Npy.read(out.resolve("prompts.npy")).shape());
        assertArrayEquals(new long[] {2, 32}, Npy.read(out.resolve("prompt_embeds.npy")).shape());

        // the pipeline's refinement loads the result
        String seg = cli(0, "cam", "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(), "--image",
                "src/test/resources/voc-sample/JPEGImages/2007_001763.jpg", "--labels", "cat;dog", "--background",
                out.resolve("prompt_embeds.npy").toString(), "--out", tmp.resolve("cam").toString())[0];
        assertTrue(seg.contains("1 done"), seg);
    }

    @Test
    void badDataGivesClearErrors() throws Exception {
        String[] base = tensors(new float[] {0, 0, 0, 0});
        String err = cli(1, concat(base, "--lr", "1", "--steps", "1", "--out", tmp.resolve("o").toString()))[1];
        assertTrue(err.contains("empty data set"), err);
        String[] wrongClasses = base.clone();
        wrongClasses[6] = "cat;dog;bird";
        err = cli(1, concat(wrongClasses, "--lr", "1", "--steps", "1", "--out", tmp.resolve("o").toString()))[1];
        assertTrue(err.contains("p0.npy") && err.contains("[3, *, 32]"), err);
        String[] noDog = tensors(new float[] {1, 0, 1, 0});
        err = cli(1, concat(noDog, "--lr", "1", "--steps", "1", "--out", tmp.resolve("o2").toString()))[1];
        assertTrue(err.contains("class dog missing from the data"), err);
    }

    @Test
    void aStoppedRunResumesOnTheSameLossCurve() throws Exception {
        tensors(new float[] {1, 0, 1, 1});
        java.util.List<String> classes = List.of("cat", "dog");
        try (ClipModel model = ClipModel.open(Fixtures.CLIP_TINY, ClipModel.Options.defaults().withCacheRoot(tmp.resolve("c")))) {
            PromptData data = PromptData.load(tmp.resolve("x.npy"), tmp.resolve("m.npy"), tmp.resolve("y.npy"), S, classes);
            float[] p0 = Npy.read(tmp.resolve("p0.npy")).floats();
            PromptTrainer.Options whole = new PromptTrainer.Options(org.clipwsss.training.optim.Optimizer.sgd(0.9f, 0.01f),
                    org.clipwsss.training.optim.Schedule.parse("cosine", 10f, 6), 6, 0.02f, 2, () -> false);
            Path a = tmp.resolve("a");
            Files.createDirectories(a);
            PromptTrainer.Result full = new PromptTrainer(model, a).train(classes, data, p0, L, whole, (s, l) -> { });

            Path b = tmp.resolve("b");
            Files.createDirectories(b);
            int[] seen = {0};
            PromptTrainer.Options stopAfter3 = new PromptTrainer.Options(org.clipwsss.training.optim.Optimizer.sgd(0.9f, 0.01f),
                    org.clipwsss.training.optim.Schedule.parse("cosine", 10f, 6), 6, 0.02f, 2, () -> seen[0] >= 3);
            PromptTrainer.Result part = new PromptTrainer(model, b).train(classes, data, p0, L, stopAfter3, (s, l) -> seen[0]++);
            assertEquals(3, part.losses().length, "cancelled after three steps");
            PromptTrainer.Result resumed = new PromptTrainer(model, b).train(classes, data, p0, L,
                    new PromptTrainer.Options(org.clipwsss.training.optim.Optimizer.sgd(0.9f, 0.01f),
                            org.clipwsss.training.optim.Schedule.parse("cosine", 10f, 6), 6, 0.02f, 2, () -> false), (s, l) -> { });
            assertArrayEquals(full.losses(), resumed.losses(), "same loss curve");
            assertArrayEquals(full.prompts(), resumed.prompts(), "same prompts");
            assertTrue(Files.isRegularFile(b.resolve("training_model.onnx")) && Files.isRegularFile(b.resolve("eval_model.onnx")));

            Files.writeString(b.resolve("checkpoint.json"), "{ broken");
            org.clipwsss.runtime.ClipWsssException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.clipwsss.runtime.ClipWsssException.class,
                    () -> new PromptTrainer(model, b).train(classes, data, p0, L, whole, (s, l) -> { }));
            assertTrue(e.getMessage().contains("checkpoint.json") && e.getMessage().contains("corrupt"), e.getMessage());
        }
    }

    @Test
    void fromAFolderOfImagesWithLabels() throws Exception {
        Path out = tmp.resolve("folder");
        String log = cli(0, "train-prompts", "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(),
                "--classes", "aeroplane;person;tvmonitor;cat;dog;sofa", "--input", "src/test/resources/voc-sample/JPEGImages",
                "--labels", "src/test/resources/voc-sample/labels.csv", "--prompt-length", "4", "--lr", "10", "--steps", "3",
                "--out", out.toString())[0];
        assertTrue(log.contains("7 (image, class) pairs"), log);
        assertEquals(4, Files.readAllLines(out.resolve("loss.csv")).size());
        assertArrayEquals(new long[] {6, 4, 32}, Npy.read(out.resolve("prompts.npy")).shape());
    }

    /** mean over present pairs of -log cos(u_b, v_b) + 0.02 log cos(u_b, u_f), from the model's own encoders. */
    private double independentLoss() throws Exception {
        float[] p0 = Npy.read(tmp.resolve("p0.npy")).floats();
        float[] x = Npy.read(tmp.resolve("x.npy")).floats();
        float[] m = Npy.read(tmp.resolve("m.npy")).floats();
        try (ClipModel model = ClipModel.open(Fixtures.CLIP_TINY);
                SafetensorsFile st = SafetensorsFile.open(Fixtures.CLIP_TINY.resolve("model.safetensors"))) {
            float[] table = st.readFloats("text_model.embeddings.token_embedding.weight");
            ClipTokenizer tok = model.tokenizer();
            int[] ids = new int[] {ClipTokenizer.SOT};
            int[] a = tok.bpeIds("a photo of");
            int[] dot = tok.bpeIds(".");
            int t = 1 + a.length + L + dot.length + 1;
            float[] embeds = new float[2 * t * W];
            long[] eot = new long[2];
            for (int k = 0; k < 2; k++) {
                int pos = 0;
                int[] seq = new int[t];
                seq[pos++] = ids[0];
                for (int id : a) {
                    seq[pos++] = id;
                }
                int promptStart = pos;
                pos += L;
                for (int id : dot) {
                    seq[pos++] = id;
                }
                seq[pos] = ClipTokenizer.EOT;
                eot[k] = pos;
                for (int j = 0; j < t; j++) {
                    float[] row = j >= promptStart && j < promptStart + L
                            ? java.util.Arrays.copyOfRange(p0, (k * L + j - promptStart) * W, (k * L + j - promptStart + 1) * W)
                            : java.util.Arrays.copyOfRange(table, seq[j] * W, (seq[j] + 1) * W);
                    System.arraycopy(row, 0, embeds, (k * t + j) * W, W);
                }
            }
            NpyArray ub = model.textEmbedsFromInputsEmbeds(NpyArray.ofFloats(embeds, 2, t, W), NpyArray.ofLongs(eot, 2));
            NpyArray uf = model.textEmbeds(List.of("a photo of cat.", "a photo of dog."));
            int[][] pairs = {{0, 0}, {1, 0}, {1, 1}};
            int plane = S * S;
            float[] bg = new float[3 * 3 * plane];
            for (int i = 0; i < 3; i++) {
                for (int c = 0; c < 3; c++) {
                    for (int q = 0; q < plane; q++) {
                        bg[(i * 3 + c) * plane + q] = (1 - m[(pairs[i][0] * 2 + pairs[i][1]) * plane + q])
                                * x[(pairs[i][0] * 3 + c) * plane + q];
                    }
                }
            }
            float[][] cbv = Similarity.cosine(ub, model.imageEmbeds(NpyArray.ofFloats(bg, 3, 3, S, S)));
            float[][] cbf = Similarity.cosine(ub, uf);
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                int k = pairs[i][1];
                sum += -Math.log(clamp(cbv[k][i])) + 0.02 * Math.log(clamp(cbf[k][k]));
            }
            return sum / 3;
        }
    }

    private static double clamp(double c) {
        return Math.min(Math.max(c, 1e-4), 0.9999);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
