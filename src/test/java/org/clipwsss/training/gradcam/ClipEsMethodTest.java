package org.clipwsss.training.gradcam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ij.IJ;
import java.nio.file.Files;
import java.nio.file.Path;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --method clip-es} from the command line and from a macro, on the CLIP-ES fixture: with the plain VOC
 * labels (CLIP-ES's names, its logit scale, background words and template come with the method; no POLE selection,
 * no refinement), the saved CAMs equal CLIP-ES's refined maps, and with {@code --no-affinity} its Grad-CAM.
 */
class ClipEsMethodTest {
    static final Path DIR = ClipEsConformanceTest.DIR;
    static final String IMAGE = "2007_000515";
    static final String LABELS = "bicycle;car;person";

    static int cli(String... args) {
        return org.clipwsss.cli.CliRun.code(args);
    }

    static void compareAll(Path cams, String reference) {
        NpyArray ours = Npy.read(cams);
        NpyArray ref = Npy.read(DIR.resolve("reference/" + IMAGE + "." + reference + ".npy"));
        assertEquals(java.util.Arrays.toString(ref.shape()), java.util.Arrays.toString(ours.shape()));
        int n = (int) (ref.shape()[1] * ref.shape()[2]);
        for (int k = 0; k < ref.shape()[0]; k++) {
            ClipEsConformanceTest.compare(reference + " map " + k, ClipEsConformanceTest.slice(ref, k, n),
                    ClipEsConformanceTest.slice(ours, k, n));
        }
    }

    @Test
    void camCommandGivesClipEssMapsWithAndWithoutTheAffinity(@TempDir Path tmp) throws Exception {
        Path image = DIR.resolve("images/" + IMAGE + ".jpg");
        String model = DIR.resolve("model").toString();
        assertEquals(0, cli("cam", "--model", model, "--source", "safetensors", "--cache", tmp.resolve("c").toString(), "--image",
                image.toString(), "--labels", LABELS, "--method", "clip-es", "--out", tmp.resolve("a").toString()));
        compareAll(tmp.resolve("a/cams/" + IMAGE + ".npy"), "refined");
        JsonNode run = new ObjectMapper().readTree(tmp.resolve("a/run.json").toFile());
        assertEquals("none", run.path("settings").path("synonyms").asText(), "no POLE selection unless asked");
        assertEquals(0.0, run.path("settings").path("refine_exponent").asDouble(), "no prompt refinement unless asked");
        assertTrue(run.path("cam_source").asText().startsWith("clip-es (\"a clean origami {}.\", 25 background words, logit scale 14.28"),
                run.path("cam_source").asText());
        JsonNode names = new ObjectMapper().readTree(tmp.resolve("a/cams/" + IMAGE + ".json").toFile()).path("names");
        assertEquals("person", names.get(2).asText(), "labels keep their names in the outputs");

        assertEquals(0, cli("cam", "--model", model, "--source", "safetensors", "--cache", tmp.resolve("c").toString(), "--image",
                image.toString(), "--labels", LABELS, "--method", "clip-es", "--no-affinity", "--out", tmp.resolve("b").toString()));
        compareAll(tmp.resolve("b/cams/" + IMAGE + ".npy"), "gradcam");
    }

    @Test
    void segmentAndTheBatchMacroTakeMethodClipEs(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        Files.copy(DIR.resolve("images/" + IMAGE + ".jpg"), in.resolve(IMAGE + ".jpg"));
        String model = DIR.resolve("model").toAbsolutePath().toString();
        assertEquals(0, cli("segment", "--model", model, "--source", "safetensors", "--input", in.toString(), "--labels", LABELS,
                "--method", "clip-es", "--out", tmp.resolve("seg").toString()));
        compareAll(tmp.resolve("seg/cams/" + IMAGE + ".npy"), "refined");

        org.clipwsss.plugin.MacroTestAccess.setUp();
        String log = org.clipwsss.plugin.MacroTestAccess.logOf(() -> IJ.runMacro("run(\"CLIP WSSS Batch\", \"input=[" + in
                + "] labels=[" + LABELS + "] output=[" + tmp.resolve("macro") + "] model=[" + model + "] method=clip-es\");"));
        assertTrue(log.contains("1 images: 1 done"), log);
        compareAll(tmp.resolve("macro/cams/" + IMAGE + ".npy"), "refined");
        log = org.clipwsss.plugin.MacroTestAccess.logOf(() -> IJ.runMacro("run(\"CLIP WSSS Batch\", \"input=[" + in
                + "] labels=[" + LABELS + "] output=[" + tmp.resolve("macro2") + "] model=[" + model + "] method=clip-es affinity=off\");"));
        assertTrue(log.contains("1 images: 1 done"), log);
        compareAll(tmp.resolve("macro2/cams/" + IMAGE + ".npy"), "gradcam");
    }

    @Test
    void theFijiCommandTakesMethodClipEs() throws Exception {
        org.scijava.Context context = new org.scijava.Context(org.scijava.command.CommandService.class,
                org.scijava.log.LogService.class, org.scijava.app.StatusService.class);
        try {
            context.service(org.scijava.prefs.PrefService.class).clearAll();
            ij.ImagePlus imp = IJ.openImage(DIR.resolve("images/" + IMAGE + ".jpg").toString());
            org.scijava.command.CommandModule m = context.service(org.scijava.command.CommandService.class)
                    .run(org.clipwsss.plugin.commands.CamsCommand.class, true, "imp", imp, "labels", LABELS, "model",
                            DIR.resolve("model").toAbsolutePath().toString(), "method", "clip-es").get();
            assertTrue(!m.isCanceled(), String.valueOf(m.getCancelReason()));
            ij.ImagePlus cams = (ij.ImagePlus) m.getOutput("cams");
            NpyArray ref = Npy.read(DIR.resolve("reference/" + IMAGE + ".refined.npy"));
            int n = imp.getWidth() * imp.getHeight();
            for (int k = 0; k < 3; k++) {
                float[] slice = (float[]) cams.getStack().getProcessor(k + 1).getPixels();
                ClipEsConformanceTest.compare("Fiji refined map " + k, ClipEsConformanceTest.slice(ref, k, n), slice);
            }
        } finally {
            context.dispose();
        }
    }

    /**
     * The graphs clip-es builds live in the model's graph cache: a second run builds none; with {@code --variant
     * quantized} the trunk is int8 and the gradient graph stays float, and the maps keep the float ones' layout.
     */
    @Test
    void graphsAreCachedAndTheInt8VariantQuantizesOnlyTheTrunk(@TempDir Path tmp) throws Exception {
        Path image = DIR.resolve("images/" + IMAGE + ".jpg");
        String model = DIR.resolve("model").toString();
        String cache = tmp.resolve("c").toString();
        for (String out : new String[] {"a", "b"}) {
            assertEquals(0, cli("cam", "--model", model, "--source", "safetensors", "--cache", cache, "--image",
                    image.toString(), "--labels", LABELS, "--method", "clip-es", "--out", tmp.resolve(out).toString()));
        }
        // an image of another size (500x281, not 500x375) with as many labels: the same tail graph, no new one
        assertEquals(0, cli("cam", "--model", model, "--source", "safetensors", "--cache", cache, "--image",
                DIR.resolve("images/2007_000032.jpg").toString(), "--labels", LABELS, "--method", "clip-es", "--out",
                tmp.resolve("other-size").toString()));
        java.util.List<Path> built;
        try (var files = Files.walk(tmp.resolve("c"))) {
            built = files.filter(f -> f.toString().endsWith(".onnx")).toList();
        }
        assertEquals(2, built.stream().filter(f -> f.getFileName().toString().matches("(grid_trunk_before_last_attention|clipes_tail_3x28_affinity)_clipes5_s.*\\.onnx")).count(),
                built.toString());
        assertEquals(1, built.stream().filter(f -> f.getFileName().toString().startsWith("clipes_tail")).count(), built.toString());
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(built.get(0));
        assertEquals(0, cli("cam", "--model", model, "--source", "safetensors", "--variant", "quantized", "--cache", cache, "--image",
                image.toString(), "--labels", LABELS, "--method", "clip-es", "--out", tmp.resolve("q").toString()));
        assertEquals(before, Files.getLastModifiedTime(built.get(0)), "cached graphs are reused, not rebuilt");
        try (var files = Files.walk(tmp.resolve("c"))) {
            java.util.List<String> names = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".onnx")).sorted().toList();
            assertEquals(1, names.stream().filter(f -> f.startsWith("grid_trunk") && f.endsWith("_quantized.onnx")).count(), names.toString());
            assertEquals(0, names.stream().filter(f -> f.startsWith("clipes_tail") && f.endsWith("_quantized.onnx")).count(),
                    "gradient graphs stay float: " + names);
        }
        NpyArray f32 = Npy.read(tmp.resolve("a/cams/" + IMAGE + ".npy"));
        NpyArray i8 = Npy.read(tmp.resolve("q/cams/" + IMAGE + ".npy"));
        int n = (int) (f32.shape()[1] * f32.shape()[2]);
        for (int k = 0; k < f32.shape()[0]; k++) {
            float[] a = ClipEsConformanceTest.slice(f32, k, n);
            float[] b = ClipEsConformanceTest.slice(i8, k, n);
            double r = ClipEsConformanceTest.pearson(ClipEsConformanceTest.minMax(a), ClipEsConformanceTest.minMax(b));
            System.out.printf("int8 trunk vs float, %s map %d: r = %.4f%n", IMAGE, k, r);
            // int8 is not called equivalent (README): on these random weights a map keeps its layout, not its detail
            assertTrue(r > 0.5, "map " + k + ": r = " + r);
        }
    }
}
