package org.clipwsss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.graph.ElemType;
import org.clipwsss.runtime.graph.GraphBuilder;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs to the command line: each bad file is made here, the CLI runs in-process, and the run must end
 * with exit code 1 and one line on stderr that names the file and the problem, without a stack trace.
 */
class HostileInputsCliTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
    static final Path IMAGE = VOC.resolve("JPEGImages/2007_000032.jpg"); // 500x281

    @TempDir
    Path tmp;

    private static String tiny() {
        return Fixtures.CLIP_TINY.toString();
    }

    /** Runs the CLI; checks the exit code and that stderr is one line holding every fragment, with no stack trace. */
    private static CliRun fails(int code, List<String> fragments, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(code, r.code(), "exit code; stderr: " + r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace: " + r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one error line: " + r.err());
        for (String f : fragments) {
            assertTrue(lines.get(0).contains(f), "'" + f + "' in: " + lines.get(0));
        }
        return r;
    }

    private static CliRun ok(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), "exit code; stderr: " + r.err());
        return r;
    }

    /** A version 2.0 .npy file (4-byte header length) with the given header dict text and raw data. */
    static byte[] npyV2(String dict, byte[] data) {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0});
        int n = header.length;
        out.writeBytes(new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    // 1. -----------------------------------------------------------------------------------------------------

    @Test
    void deeplyNestedNpyHeaderIsAClearError() throws IOException {
        for (String open : new String[] {"(", "["}) {
            Path ids = tmp.resolve("deep" + (open.equals("(") ? "tuple" : "list") + ".npy");
            String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': " + open.repeat(100_000) + "}";
            Files.write(ids, npyV2(dict, new byte[0]));
            fails(1, List.of(ids.toString(), "nested more than 32 levels deep"), "embed-text", "--model", tiny(),
                    "--input-ids", ids.toString(), "--out", tmp.resolve("t.npy").toString());
        }
    }

    // 2. -----------------------------------------------------------------------------------------------------

    @Test
    void selectSynonymsWithACamOfTooFewDimensions() {
        Path oneD = tmp.resolve("cam1d.npy");
        Npy.write(oneD, NpyArray.ofFloats(new float[281], 281));
        Path zeroD = tmp.resolve("cam0d.npy");
        Npy.write(zeroD, NpyArray.ofFloats(new float[] {0.5f}));
        for (Path cam : List.of(oneD, zeroD)) {
            fails(1, List.of(cam.toString(), "[H,W] or [1,H,W]", "500x281 (H=281, W=500)", "-d array"), "select-synonyms", "--model",
                    tiny(), "--image", IMAGE.toString(), "--cam", cam.toString(), "--candidates", "cat;kitty",
                    "--out", tmp.resolve("sel.json").toString());
        }
    }

    // 3. -----------------------------------------------------------------------------------------------------

    @Test
    void tokenizeRefusesTextThatIsNotUtf8AndFolders() throws IOException {
        Path bad = tmp.resolve("latin1.jsonl");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("{\"text\": \"fine\"}\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xff, (byte) 0xfe, 0, '"', '}',
            '\n'});
        Files.write(bad, bytes.toByteArray());
        CliRun r = fails(1, List.of(bad.toString(), "line 2 is not valid UTF-8"), "tokenize", "--jsonl", bad.toString());
        assertEquals(1, r.out().lines().count(), "the good first line was tokenised: " + r.out());

        Path folder = Files.createDirectory(tmp.resolve("texts.jsonl"));
        fails(1, List.of(folder.toString(), "is a folder"), "tokenize", "--jsonl", folder.toString());
        fails(1, List.of(tmp.resolve("missing.jsonl").toString(), "no such file"), "tokenize", "--jsonl",
                tmp.resolve("missing.jsonl").toString());

        Path crlf = tmp.resolve("crlf.jsonl");
        Files.write(crlf, "\uFEFF{\"text\": \"a cat\"}\r\n\r\n{\"text\": \"a dog\"}".getBytes(StandardCharsets.UTF_8));
        CliRun good = ok("tokenize", "--jsonl", crlf.toString());
        assertEquals(2, good.out().lines().count(), good.out());
        assertTrue(good.out().contains("\"a cat\"") && good.out().contains("\"a dog\""), good.out());
    }

    // 4. -----------------------------------------------------------------------------------------------------

    /** A one-class CAM net: the channel mean of the image, [1,3,H,W] -> [1,1,H,W]. */
    private Path camNet(String json) throws IOException {
        GraphBuilder g = new GraphBuilder("cam");
        String x = g.input("x", ElemType.FLOAT, 1, 3, "h", "w");
        String mean = g.op("ReduceMean", List.of(x), Map.of("axes", new long[] {1}, "keepdims", 1L));
        g.output(mean, "cam", ElemType.FLOAT, 1, 1, "h", "w");
        Path onnx = tmp.resolve("net.onnx");
        OnnxWriter.write(g.build(), onnx, Map.of());
        Files.writeString(tmp.resolve("net.json"), json);
        return onnx;
    }

    private String[] camArgs(Path net, Path out) {
        return new String[] {"cam", "--model", tiny(), "--cache", tmp.resolve("cache").toString(), "--image",
            IMAGE.toString(), "--labels", "cat", "--method", "onnx", "--cam-model", net.toString(), "--background",
            "none", "--synonyms", "none", "--out", out.toString()};
    }

    @Test
    void camModelInputSizeIsAnIntOrAPairAndOtherwiseAClearError() throws IOException {
        for (String size : new String[] {"64", "[48, 80]"}) {
            Path out = tmp.resolve("cam-" + size.length());
            ok(camArgs(camNet("{\"classes\": [\"cat\"], \"input_size\": " + size + ", \"activation\": \"sigmoid\"}"),
                    out));
            NpyArray cams = Npy.read(out.resolve("cams/2007_000032.npy"));
            assertEquals(List.of(1L, 281L, 500L), java.util.Arrays.stream(cams.shape()).boxed().toList());
        }
        Path json = tmp.resolve("net.json");
        for (String size : new String[] {"\"224\"", "[224]", "[224, 224, 3]", "0", "-5", "1e9", "100000", "22.5",
            "{\"height\": 224}"}) {
            Path net = camNet("{\"classes\": [\"cat\"], \"input_size\": " + size + "}");
            fails(1, List.of(json.toString(), "\"input_size\" must be one integer (a square side) or [height, width]"),
                    camArgs(net, tmp.resolve("never")));
        }
        fails(1, List.of(json.toString(), "\"classes\" entry 2"),
                camArgs(camNet("{\"classes\": [\"cat\", 7]}"), tmp.resolve("never")));
        fails(1, List.of(json.toString(), "\"std\" must not contain 0"),
                camArgs(camNet("{\"classes\": [\"cat\"], \"std\": [0, 1, 1]}"), tmp.resolve("never")));
        fails(1, List.of(json.toString(), "not valid JSON"),
                camArgs(camNet("{\"classes\": [\"cat\"],\n\"input_size\": }"), tmp.resolve("never")));
    }

    // 5. -----------------------------------------------------------------------------------------------------

    private Path copyOfTiny(String name) throws IOException {
        Path dir = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(Fixtures.CLIP_TINY)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = dir.resolve(Fixtures.CLIP_TINY.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return dir;
    }

    @Test
    void hugeSizesInThePreprocessorConfigAreRefused() throws IOException {
        Path model = copyOfTiny("model");
        Path config = model.resolve("preprocessor_config.json");
        String[][] cases = {
            {"{\"size\": {\"shortest_edge\": 1e9}}", "size.shortest_edge"},
            {"{\"size\": {\"shortest_edge\": 1000000000}}", "size.shortest_edge"},
            {"{\"size\": 100000}", "size must"},
            {"{\"crop_size\": 1000000000}", "crop_size must"},
            {"{\"crop_size\": {\"height\": 224, \"width\": 2147483647}}", "crop_size.width"},
            {"{\"size\": {\"height\": 0, \"width\": 224}}", "size.height"},
        };
        for (String[] c : cases) {
            Files.writeString(config, c[0]);
            fails(1, List.of(config.toString(), c[1], "from 1 to 8192"), "preprocess", "--model", model.toString(),
                    "--out", tmp.resolve("px.npy").toString(), IMAGE.toString());
        }
    }

    // 6. -----------------------------------------------------------------------------------------------------

    @Test
    void tokenIdsOutsideTheVocabularyOrEmptyRowsAreRefused() {
        long[] row = new long[77];
        row[0] = 49406;
        row[1] = 320;
        row[2] = 49407;
        Path ids = tmp.resolve("ids.npy");
        Path out = tmp.resolve("t.npy");
        for (long bad : new long[] {-1, 49408, Long.MAX_VALUE}) {
            long[] r = row.clone();
            r[1] = bad;
            Npy.write(ids, NpyArray.ofLongs(r, 1, 77));
            fails(1, List.of("input_ids row 0, position 1: token id " + bad, "outside the vocabulary (0 to 49407"),
                    "embed-text", "--model", tiny(), "--input-ids", ids.toString(), "--out", out.toString());
        }
        Npy.write(ids, NpyArray.ofInts(new int[] {49406, -7}, 1, 2));
        fails(1, List.of("token id -7"), "embed-text", "--model", tiny(), "--input-ids", ids.toString(), "--out",
                out.toString());
        Npy.write(ids, NpyArray.ofLongs(new long[0], 2, 0));
        fails(1, List.of("input_ids [2, 0] is empty", "its rows have no tokens"), "embed-text", "--model", tiny(),
                "--input-ids", ids.toString(), "--out", out.toString());
        Npy.write(ids, NpyArray.ofLongs(new long[77], 1, 77)); // a row of padding only
        fails(1, List.of("input_ids row 0 has no end token 49407"), "embed-text", "--model", tiny(), "--input-ids",
                ids.toString(), "--out", out.toString());
        assertFalse(Files.exists(out));

        Npy.write(ids, NpyArray.ofLongs(row, 1, 77));
        ok("embed-text", "--model", tiny(), "--input-ids", ids.toString(), "--out", out.toString());
        assertEquals(List.of(1L, 32L), java.util.Arrays.stream(Npy.read(out).shape()).boxed().toList());
    }

    // 7. -----------------------------------------------------------------------------------------------------

    @Test
    void trainPromptsRefusesNaNInItsInputs() {
        int s = 224;
        Path x = tmp.resolve("X.npy");
        Path m = tmp.resolve("M.npy");
        Path y = tmp.resolve("Y.npy");
        Path p0 = tmp.resolve("P0.npy");
        float[] pixels = new float[3 * s * s];
        float[] mask = new float[s * s];
        java.util.Arrays.fill(mask, 0, s * s / 2, 1f);
        Npy.write(x, NpyArray.ofFloats(pixels, 1, 3, s, s));
        Npy.write(m, NpyArray.ofFloats(mask, 1, 1, s, s));
        Npy.write(y, NpyArray.ofFloats(new float[] {1}, 1, 1));
        float[] prompts = new float[4 * 32];
        prompts[37] = Float.NaN;
        Npy.write(p0, NpyArray.ofFloats(prompts, 1, 4, 32));
        String[] common = {"train-prompts", "--model", tiny(), "--cache", tmp.resolve("cache").toString(), "--classes",
            "cat", "--pixels", x.toString(), "--masks", m.toString(), "--targets", y.toString(), "--lr", "0.1",
            "--steps", "1", "--out", tmp.resolve("out").toString()};
        fails(1, List.of(p0.toString(), "initial prompts [1, 4, 32]", "1 value that is not a finite number",
                "the first NaN at [0, 1, 5]"), concat(common, "--init", p0.toString()));

        pixels[5] = Float.NaN;
        pixels[6] = Float.POSITIVE_INFINITY;
        Npy.write(x, NpyArray.ofFloats(pixels, 1, 3, s, s));
        fails(1, List.of(x.toString(), "pixels", "2 values that are not a finite number"), common);

        pixels[5] = pixels[6] = 0;
        Npy.write(x, NpyArray.ofFloats(pixels, 1, 3, s, s));
        mask[3] = Float.NaN;
        Npy.write(m, NpyArray.ofFloats(mask, 1, 1, s, s));
        fails(1, List.of(m.toString(), "masks"), common);

        Npy.write(m, NpyArray.ofFloats(new float[s * s], 1, 1, s, s));
        Npy.write(y, NpyArray.ofFloats(new float[] {Float.NaN}, 1, 1));
        fails(1, List.of(y.toString(), "NaN"), common);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // 8. -----------------------------------------------------------------------------------------------------

    @Test
    void aDamagedCachedGraphSaysWhichFolderToDelete() throws IOException {
        Path cache = tmp.resolve("cache");
        String[] args = {"embed-text", "--model", tiny(), "--source", "safetensors", "--cache", cache.toString(),
            "--text", "a cat", "--out", tmp.resolve("t.npy").toString()};
        ok(args);
        Path text;
        try (Stream<Path> s = Files.walk(cache)) {
            text = s.filter(p -> p.getFileName().toString().equals("text_model.onnx")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(text);
        Files.write(text, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // a half-written file
        fails(1, List.of(text.toString(), "damaged", "delete the folder " + text.getParent().toAbsolutePath()), args);

        bytes[bytes.length / 3] ^= 0x55; // same size, one byte changed
        Files.write(text, bytes);
        fails(1, List.of("damaged", "delete the folder"), args);

        // deleting the folder, as the error says, clears it
        try (Stream<Path> s = Files.walk(text.getParent())) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        ok(args);
    }

    // 9. -----------------------------------------------------------------------------------------------------

    @Test
    void evaluateSaysWhatWasLeftOutAndFailsWhenNothingWasScored() throws IOException {
        Path gt = VOC.resolve("SegmentationClass");
        String classes = VOC.resolve("classes.txt").toString();

        Path stray = Files.createDirectory(tmp.resolve("stray"));
        PalettePng.write(stray.resolve("not_in_gt.png"), LabelImage.blank(4, 4));
        Path json = tmp.resolve("scores.json");
        CliRun r = fails(1, List.of(stray.toString(), "nothing was scored against " + gt,
                "3 of 3 ground-truth masks have no prediction", "1 prediction has no ground truth"), "evaluate",
                "--pred", stray.toString(), "--gt", gt.toString(), "--classes", classes, "--json", json.toString());
        assertTrue(r.out().contains("NOTHING WAS SCORED"), r.out());
        assertTrue(r.out().contains("2007_000032, 2007_000039, 2007_001763"), r.out());
        JsonNode scores = new ObjectMapper().readTree(json.toFile());
        assertTrue(scores.get("nothingScored").asBoolean());
        assertEquals(3, scores.get("withoutPrediction").size());

        Path wrongSize = Files.createDirectory(tmp.resolve("wrong-size"));
        PalettePng.write(wrongSize.resolve("2007_000032.png"), LabelImage.blank(10, 10));
        fails(1, List.of("nothing was scored", "1 prediction is not the size of its ground truth",
                "2 of 3 ground-truth masks have no prediction (2007_000039, 2007_001763)"), "evaluate", "--pred",
                wrongSize.toString(), "--gt", gt.toString(), "--classes", classes);

        Path partial = Files.createDirectory(tmp.resolve("partial"));
        Files.copy(gt.resolve("2007_000032.png"), partial.resolve("2007_000032.png"));
        CliRun some = ok("evaluate", "--pred", partial.toString(), "--gt", gt.toString(), "--classes", classes);
        assertTrue(some.out().contains("left out: 2 of 3 ground-truth masks have no prediction (2007_000039, 2007_001763)"),
                some.out());
        assertFalse(some.out().contains("NOTHING"), some.out());
        assertEquals("", some.err());

        // the CAM sweep: CAMs of another size than their ground truth
        Path cams = Files.createDirectory(tmp.resolve("cams"));
        Npy.write(cams.resolve("2007_000039.npy"), NpyArray.ofFloats(new float[4 * 4], 1, 4, 4));
        Files.writeString(cams.resolve("2007_000039.json"), "{\"classes\": [\"tvmonitor\"]}");
        fails(1, List.of(cams.toString(), "nothing was scored", "not the size of its ground truth"), "evaluate",
                "--cams", cams.toString(), "--sweep", "0.1:0.9:0.4", "--gt", gt.toString(), "--classes", classes);
    }
}
