package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.Similarity;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cam, segment, select-synonyms and evaluate in the forms the issue names. */
class PipelineCliTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
    @TempDir
    Path tmp;

    private String[] run(int expected, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(expected, code, "stdout: " + out + "\nstderr: " + err);
        return new String[] {out.toString(), err.toString()};
    }

    private String tiny() {
        return Fixtures.CLIP_TINY.toString();
    }

    @Test
    void segmentThenEvaluate() throws Exception {
        Path out = tmp.resolve("seg");
        String log = run(0, "segment", "--model", tiny(), "--cache", tmp.resolve("c").toString(), "--input",
                VOC.resolve("JPEGImages").toString(), "--labels", VOC.resolve("labels.csv").toString(), "--classes",
                VOC.resolve("classes.txt").toString(), "--out", out.toString(), "--progress-every", "2")[0];
        assertTrue(log.contains("[2/3]") && log.contains("images/s") && log.contains("ETA"), log);
        assertTrue(log.contains("3 done, 0 skipped"), log);
        String again = run(0, "segment", "--model", tiny(), "--cache", tmp.resolve("c").toString(), "--input",
                VOC.resolve("JPEGImages").toString(), "--labels", VOC.resolve("labels.csv").toString(), "--classes",
                VOC.resolve("classes.txt").toString(), "--out", out.toString())[0];
        assertTrue(again.contains("0 done, 3 skipped"), again);
        Path json = tmp.resolve("eval.json");
        String table = run(0, "evaluate", "--pred", out.resolve("masks").toString(), "--gt",
                VOC.resolve("SegmentationClass").toString(), "--classes", VOC.resolve("classes.txt").toString(),
                "--json", json.toString())[0];
        assertTrue(table.contains("mIoU"), table);
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals(3, j.path("images").asInt(), j.toString());
        String sweep = run(0, "evaluate", "--cams", out.resolve("cams").toString(), "--gt",
                VOC.resolve("SegmentationClass").toString(), "--classes", VOC.resolve("classes.txt").toString(),
                "--sweep", "0.1:0.9:0.2")[0];
        assertTrue(sweep.toLowerCase().contains("best"), sweep);
    }

    @Test
    void segmentWithOneLabelSetForAllAndTheDatasetMode() throws Exception {
        Path out = tmp.resolve("fixed");
        run(0, "segment", "--model", tiny(), "--cache", tmp.resolve("c").toString(), "--input",
                VOC.resolve("JPEGImages").toString(), "--labels", "cat;person", "--synonym-mode", "dataset",
                "--out", out.toString());
        assertEquals(List.of("background", "cat", "person"), Files.readAllLines(out.resolve("classes.txt")));
        JsonNode chosen = new ObjectMapper().readTree(out.resolve("synonyms-dataset.json").toFile()).path("selected");
        assertTrue(chosen.has("cat") && chosen.has("person"), chosen.toString());
        List<String> rows = Files.readAllLines(out.resolve("selection.csv"));
        assertEquals(1 + 6, rows.size());
        assertTrue(rows.get(1).contains("," + chosen.get("cat").asText() + ",") || rows.get(1).contains(chosen.get("person").asText()),
                rows.toString());
    }

    @Test
    void camForOneImageAndABadLabel() throws Exception {
        Path out = tmp.resolve("cam");
        String img = VOC.resolve("JPEGImages/2007_000032.jpg").toString();
        run(0, "cam", "--model", tiny(), "--cache", tmp.resolve("c").toString(), "--image", img, "--labels",
                "aeroplane;person", "--background", "none", "--synonyms", "none", "--out", out.toString());
        NpyArray cams = Npy.read(out.resolve("cams/2007_000032.npy"));
        assertEquals(List.of(2L, 281L, 500L), Arrays.stream(cams.shape()).boxed().toList());
        String err = run(1, "cam", "--model", tiny(), "--image", img, "--labels", "cat", "--method", "onnx",
                "--out", out.toString())[1];
        assertTrue(err.contains("--cam-model") && err.split("\n").length == 1, err);
    }

    @Test
    void selectSynonymsFromModelResolutionTensors() throws Exception {
        NpyArray px = Fixtures.reference("clip-tiny", "pixel_values");
        NpyArray mask = Fixtures.reference("clip-tiny", "soft_mask");
        int plane = 224 * 224;
        float[] p0 = Arrays.copyOf(px.floats(), 3 * plane);
        float[] m0 = Arrays.copyOf(mask.floats(), plane);
        Path x = tmp.resolve("x.npy");
        Path m = tmp.resolve("m.npy");
        Npy.write(x, NpyArray.ofFloats(p0, 1, 3, 224, 224));
        Npy.write(m, NpyArray.ofFloats(m0, 1, 1, 224, 224));
        Path out = tmp.resolve("sel.json");
        run(0, "select-synonyms", "--model", tiny(), "--pixels", x.toString(), "--mask", m.toString(), "--candidates",
                "cat;feline;kitty", "--out", out.toString());
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        assertEquals(3, j.get("candidates").size());
        // independent recomputation: masked pixels -> image embedding, texts -> embeddings, cosine, softmax x100
        float[] masked = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                masked[c * plane + i] = p0[c * plane + i] * m0[i];
            }
        }
        try (ClipModel model = ClipModel.open(Fixtures.CLIP_TINY)) {
            float[] cos = Similarity.cosine(model.imageEmbeds(NpyArray.ofFloats(masked, 1, 3, 224, 224)),
                    model.textEmbeds(List.of("a photo of cat.", "a photo of feline.", "a photo of kitty.")))[0];
            float[] prob = Similarity.softmax(cos, 100f);
            int best = 0;
            for (int i = 0; i < 3; i++) {
                assertEquals(cos[i], j.get("cosine").get(i).floatValue(), 1e-5);
                assertEquals(prob[i], j.get("probability").get(i).floatValue(), 1e-4);
                best = prob[i] > prob[best] ? i : best;
            }
            assertEquals(List.of("cat", "feline", "kitty").get(best), j.get("selected").asText());
        }
        Path cam = tmp.resolve("cam.npy");
        Npy.write(cam, NpyArray.ofFloats(new float[10 * 10], 10, 10));
        String err = run(1, "select-synonyms", "--model", tiny(), "--image", VOC.resolve("JPEGImages/2007_000032.jpg").toString(),
                "--cam", cam.toString(), "--candidates", "a;b", "--out", out.toString())[1];
        assertTrue(err.contains("cam.npy") && err.contains("500x281"), err);
    }

    @Test
    void modelsListRegisterRemove() {
        String store = tmp.resolve("store").toString();
        String out = run(0, "models", "register", "tiny", "--folder", tiny(), "--store", store)[0];
        assertTrue(out.contains("registered tiny"), out);
        out = run(0, "models", "list", "--store", store)[0];
        assertTrue(out.contains("tiny") && out.contains("openai/clip-vit-base-patch32"), out);
        out = run(0, "similarity", "--model", tiny(), "--image", VOC.resolve("JPEGImages/2007_000032.jpg").toString(),
                "--text", "a plane")[0];
        run(0, "models", "remove", "tiny", "--store", store);
        String err = run(1, "models", "install", "clip-tiny", "--store", store)[1];
        assertTrue(err.contains("clip-tiny") && err.contains("not downloaded"), err);
    }
}
