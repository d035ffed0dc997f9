package org.clipwsss.cli;

import static org.clipwsss.Fixtures.assertClose;
import static org.clipwsss.Fixtures.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line forms the README and the issues name, run in-process. */
class CliTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) { }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private Result ok(String... args) {
        Result r = run(args);
        assertEquals(0, r.code, "exit code; stderr: " + r.err);
        return r;
    }

    private String tiny() {
        return Fixtures.CLIP_TINY.toString();
    }

    private String cache() {
        return tmp.resolve("cache").toString();
    }

    @Test
    void tokenizeJsonl() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> golden = Files.readAllLines(Fixtures.CONFORMANCE.resolve("tokenizer/golden.jsonl")).subList(0, 40);
        Path in = tmp.resolve("in.jsonl");
        List<String> lines = new ArrayList<>();
        for (String g : golden) {
            lines.add(json.writeValueAsString(json.createObjectNode().put("text", json.readTree(g).get("text").asText())));
        }
        Files.write(in, lines);
        String[] out = ok("tokenize", "--jsonl", in.toString()).out.split("\n");
        assertEquals(golden.size(), out.length);
        for (int i = 0; i < out.length; i++) {
            JsonNode expected = json.readTree(golden.get(i));
            JsonNode got = json.readTree(out[i]);
            assertEquals(expected.get("text"), got.get("text"));
            assertEquals(expected.get("input_ids"), got.get("input_ids"), expected.get("text").asText());
        }
    }

    @Test
    void preprocessImages() {
        Path images = Fixtures.CONFORMANCE.resolve("preprocess/images");
        Path out = tmp.resolve("px.npy");
        ok("preprocess", "--model", tiny(), "--out", out.toString(), images.resolve("2007_000515.jpg").toString(),
                images.resolve("gray_300x180.png").toString());
        NpyArray px = Npy.read(out);
        assertEquals(List.of(2L, 3L, 224L, 224L), java.util.Arrays.stream(px.shape()).boxed().toList());
        NpyArray golden = Npy.read(Fixtures.CONFORMANCE.resolve("preprocess/reference/gray_300x180.png.npy"));
        float[] second = java.util.Arrays.copyOfRange(px.floats(), 3 * 224 * 224, 2 * 3 * 224 * 224);
        assertClose(golden, NpyArray.ofFloats(second, 1, 3, 224, 224), 0.02, "gray image");
    }

    @Test
    void embedImageFromPixelsBothSourcesAndDense() {
        Path px = Fixtures.CONFORMANCE.resolve("clip-tiny/reference/pixel_values.npy");
        for (String source : new String[] {"onnx", "safetensors"}) {
            Path out = tmp.resolve("img-" + source + ".npy");
            ok("embed-image", "--model", tiny(), "--source", source, "--cache", cache(), "--pixels", px.toString(),
                    "--out", out.toString());
            assertClose(reference("clip-tiny", "image_embeds"), Npy.read(out), 1e-4, source);
        }
        Path dense = tmp.resolve("dense.npy");
        ok("embed-image", "--model", tiny(), "--dense", "clearclip", "--cache", cache(), "--pixels", px.toString(),
                "--out", dense.toString());
        assertClose(reference("clip-tiny", "dense_embeds_clearclip"), Npy.read(dense), 1e-4, "clearclip");
    }

    @Test
    void embedImageFromFiles() {
        Path img = Fixtures.CONFORMANCE.resolve("preprocess/images/2008_004172.jpg");
        Path out = tmp.resolve("e.npy");
        ok("embed-image", "--model", tiny(), "--device", "cpu", "--threads", "1", img.toString(), img.toString(),
                "--out", out.toString());
        NpyArray e = Npy.read(out);
        assertEquals(2, e.shape()[0]);
        assertEquals(32, e.shape()[1]);
        float[] f = e.floats();
        for (int i = 0; i < 32; i++) {
            assertEquals(f[i], f[32 + i], 1e-6, "same image twice in one batch");
        }
    }

    @Test
    void embedTextFromIdsAndTexts() {
        Path ids = Fixtures.CONFORMANCE.resolve("clip-tiny/reference/input_ids.npy");
        Path out = tmp.resolve("t.npy");
        ok("embed-text", "--model", tiny(), "--input-ids", ids.toString(), "--out", out.toString());
        assertClose(reference("clip-tiny", "text_embeds"), Npy.read(out), 1e-4, "text_embeds");
        ok("embed-text", "--model", tiny(), "--source", "safetensors", "--cache", cache(), "--text", "a photo of a cat",
                "a dog", "--out", out.toString());
        assertEquals(2, Npy.read(out).shape()[0]);
    }

    @Test
    void exportWritesAUsableModelFolder() throws Exception {
        Path dir = tmp.resolve("export");
        ok("export", "--model", tiny(), "--out", dir.toString());
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        assertEquals(org.clipwsss.runtime.model.ClipGraphs.Kind.values().length, manifest.get("graphs").size());
        for (JsonNode g : manifest.get("graphs")) {
            assertTrue(Files.size(dir.resolve(g.get("file").asText())) == g.get("bytes").asLong());
        }
        Path out = tmp.resolve("x.npy");
        ok("embed-image", "--model", dir.toString(), "--source", "onnx", "--pixels",
                Fixtures.CONFORMANCE.resolve("clip-tiny/reference/pixel_values.npy").toString(), "--out", out.toString());
        assertClose(reference("clip-tiny", "image_embeds"), Npy.read(out), 1e-4, "exported vision graph");
    }

    @Test
    void similarityPrintsScores() {
        Path img = Fixtures.CONFORMANCE.resolve("preprocess/images/2007_000515.jpg");
        String out = ok("similarity", "--model", tiny(), "--image", img.toString(), "--text", "a photo of a cat",
                "a photo of a dog").out;
        assertTrue(out.contains("\"a photo of a cat\"") && out.contains("probability"), out);
    }

    @Test
    void badInputsFailWithOneClearLine() throws Exception {
        Path px = Fixtures.CONFORMANCE.resolve("clip-tiny/reference/pixel_values.npy");
        Result r = run("embed-text", "--model", tiny(), "--input-ids", px.toString(), "--out", tmp.resolve("o.npy").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("pixel_values.npy") && r.err.contains("token ids"), r.err);
        assertEquals(1, r.err.strip().split("\n").length, r.err);

        Path f8 = tmp.resolve("f8.npy");
        Files.write(f8, npyHeader("<f8", "(1, 2)", 16));
        r = run("embed-image", "--model", tiny(), "--pixels", f8.toString(), "--out", tmp.resolve("o.npy").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("f8.npy") && r.err.contains("<f8"), r.err);

        Path bad = tmp.resolve("broken.jpg");
        Files.write(bad, new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        r = run("preprocess", "--model", tiny(), "--out", tmp.resolve("p.npy").toString(), bad.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("broken.jpg"), r.err);
        assertTrue(!Files.exists(tmp.resolve("p.npy")), "no output written on failure");

        Path shape = tmp.resolve("shape.npy");
        Npy.write(shape, NpyArray.ofFloats(new float[3 * 32 * 32], 1, 3, 32, 32));
        r = run("embed-image", "--model", tiny(), "--pixels", shape.toString(), "--out", tmp.resolve("o.npy").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("[N,3,224,224]"), r.err);

        r = run("embed-image", "--model", tiny(), "--out", "x.npy");
        assertEquals(2, r.code, "usage error");
    }

    private static byte[] npyHeader(String dtype, String shape, int dataBytes) {
        String dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
        StringBuilder h = new StringBuilder(dict);
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        byte[] head = h.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] all = new byte[10 + head.length + dataBytes];
        all[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, all, 1, 5);
        all[6] = 1;
        all[8] = (byte) head.length;
        all[9] = (byte) (head.length >> 8);
        System.arraycopy(head, 0, all, 10, head.length);
        return all;
    }
}
