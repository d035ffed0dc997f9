package org.clipwsss.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.plugin.commands.BatchFolderCommand;
import org.clipwsss.plugin.commands.CamsCommand;
import org.clipwsss.plugin.commands.EvaluateMasksCommand;
import org.clipwsss.plugin.commands.ManageModelsCommand;
import org.clipwsss.plugin.commands.PseudoMaskCommand;
import org.clipwsss.plugin.commands.SelectSynonymsCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;

/** Every Fiji command, run through a SciJava context's CommandService, headless. */
class CommandsTest {
    static final Path VOC = Path.of("src/test/resources/voc-sample");
    static final String TINY = Path.of("onnx-models/clip-tiny").toAbsolutePath().toString();
    static Context context;
    static CommandService commands;

    @BeforeAll
    static void start() {
        context = new Context(CommandService.class, LogService.class, org.scijava.app.StatusService.class);
        commands = context.service(CommandService.class);
    }

    @AfterAll
    static void stop() {
        context.dispose();
    }

    /** Runs a command with these inputs only: values remembered from earlier runs (SciJava's persisted inputs) are cleared. */
    private static CommandModule run(Class<? extends org.scijava.command.Command> cls, Object... inputs) throws Exception {
        context.service(org.scijava.prefs.PrefService.class).clearAll();
        return commands.run(cls, true, inputs).get();
    }

    private static ImagePlus image() {
        return IJ.openImage(VOC.resolve("JPEGImages/2007_000032.jpg").toString());
    }

    @Test
    void everyCommandIsAHeadlessMenuCommand() {
        List<String> menus = commands.getCommands().stream().map(CommandInfo::getMenuPath).filter(m -> m != null)
                .map(Object::toString).filter(m -> m.contains("CLIP WSSS")).sorted().toList();
        assertEquals(9, menus.size(), menus.toString());
        for (CommandInfo info : commands.getCommands()) {
            if (info.getClassName().startsWith("org.clipwsss")) {
                assertTrue(info.canRunHeadless(), info.getClassName());
                info.inputs().forEach(i -> assertEquals(i.getName().toLowerCase(), i.getName(), "lower-case parameter names"));
            }
        }
    }

    @Test
    void camsAndPseudoMaskAndSynonyms() throws Exception {
        ImagePlus imp = image();
        CommandModule m = run(CamsCommand.class, "imp", imp, "labels", "aeroplane;person", "model", TINY, "overlay", true);
        ImagePlus cams = (ImagePlus) m.getOutput("cams");
        assertEquals(2, cams.getStackSize());
        assertEquals(32, cams.getBitDepth());
        assertTrue(cams.getStack().getSliceLabel(1).startsWith("aeroplane"), cams.getStack().getSliceLabel(1));
        assertNotNull(imp.getOverlay());

        m = run(PseudoMaskCommand.class, "imp", imp, "labels", "aeroplane;person", "model", TINY, "rois", false, "table", true);
        ImagePlus mask = (ImagePlus) m.getOutput("mask");
        assertEquals(8, mask.getBitDepth());
        assertTrue(String.valueOf(mask.getProperty("Info")).contains("1=aeroplane"));
        ResultsTable t = (ResultsTable) m.getOutput("results");
        assertEquals(2, t.size());
        assertEquals("person", t.getStringValue("Class", 1));

        m = run(SelectSynonymsCommand.class, "imp", imp, "labels", "aeroplane", "model", TINY);
        ResultsTable c = (ResultsTable) m.getOutput("candidates");
        assertEquals(4, c.size(), "gpt_prompts has 4 candidates for aeroplane");
    }

    @Test
    void aBadInputCancelsWithOneClearMessage() throws Exception {
        CommandModule m = run(CamsCommand.class, "imp", image(), "labels", "cat", "model", "/nowhere/model");
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("nowhere") && !m.getCancelReason().contains("\n"), m.getCancelReason());
    }

    @Test
    void pseudoMaskWithTheCrf() throws Exception {
        CommandModule m = run(PseudoMaskCommand.class, "imp", image(), "labels", "aeroplane;person", "model", TINY, "synonyms", "none",
                "crf", true, "rois", false, "table", false);
        ImagePlus mask = (ImagePlus) m.getOutput("mask");
        int[] hist = mask.getProcessor().getHistogram();
        for (int v = 0; v < 256; v++) {
            assertTrue(hist[v] == 0 || v <= 2 || v == 255, "mask value " + v);
        }
    }

    @Test
    void anErrorInsideACommandCancelsItWithOneLineNamingTheCause() throws Exception {
        org.clipwsss.runtime.batch.FaultyCamSourceProvider.FAULTS.put(500, () -> new AssertionError("No tokenizers version found"));
        try {
            CommandModule m = run(CamsCommand.class, "imp", image(), "labels", "cat", "model", TINY, "method", "faulty-test",
                    "synonyms", "none", "background", "none");
            assertTrue(m.isCanceled());
            assertEquals("CLIP WSSS Class Activation Maps: AssertionError: No tokenizers version found", m.getCancelReason());
        } finally {
            org.clipwsss.runtime.batch.FaultyCamSourceProvider.FAULTS.clear();
        }
    }

    @Test
    void batchThenEvaluate(@TempDir Path tmp) throws Exception {
        File out = tmp.resolve("out").toFile();
        CommandModule m = run(BatchFolderCommand.class, "input", VOC.resolve("JPEGImages").toFile(), "labels",
                VOC.resolve("labels.csv").toString(), "output", out, "classes", VOC.resolve("classes.txt").toFile(), "model", TINY);
        assertTrue(String.valueOf(m.getOutput("summary")).contains("3 done"), String.valueOf(m.getOutput("summary")));
        assertTrue(Files.isRegularFile(out.toPath().resolve("masks/2007_001763.png")));
        m = run(EvaluateMasksCommand.class, "pred", new File(out, "masks"), "gt", VOC.resolve("SegmentationClass").toFile(),
                "classes", VOC.resolve("classes.txt").toFile());
        assertEquals(21, ((ResultsTable) m.getOutput("scores")).size());
        double miou = (Double) m.getOutput("miou");
        assertTrue(miou >= 0 && miou <= 1, "mIoU " + miou);
    }

    @Test
    void manageModelsListsRegistersAndRemoves(@TempDir Path tmp) throws Exception {
        File store = tmp.resolve("models").toFile();
        CommandModule m = run(ManageModelsCommand.class, "action", "register", "model", "tiny", "folder", new File(TINY), "store", store);
        ResultsTable t = (ResultsTable) m.getOutput("models");
        assertEquals("tiny", t.getStringValue("Model", 0));
        assertEquals("installed", t.getStringValue("Status", 0));
        assertTrue(t.size() > 1, "known models are listed too");
        m = run(ManageModelsCommand.class, "action", "remove", "model", "tiny", "store", store);
        assertTrue(((ResultsTable) m.getOutput("models")).getStringValue("Status", 0).equals("available")
                || ((ResultsTable) m.getOutput("models")).getStringValue("Status", 0).equals("bundled"));
        m = run(ManageModelsCommand.class, "action", "install", "model", "no/such-model", "store", store);
        assertTrue(m.isCanceled() && m.getCancelReason().contains("no/such-model"), m.getCancelReason());
    }

    @Test
    void trainBackgroundPrompts(@TempDir Path tmp) throws Exception {
        CommandModule m = run(org.clipwsss.plugin.commands.TrainPromptsCommand.class, "input", VOC.resolve("JPEGImages").toFile(),
                "labels", VOC.resolve("labels.csv").toString(), "classes", "cat;dog;sofa;tvmonitor", "output", tmp.toFile(),
                "model", TINY, "length", 4, "steps", 2, "lr", 1.0);
        assertTrue(String.valueOf(m.getOutput("summary")).startsWith("2 steps"), m.getCancelReason() + " " + m.getOutput("summary"));
        assertTrue(Files.isRegularFile(tmp.resolve("prompt_embeds.npy")) && Files.isRegularFile(tmp.resolve("checkpoint.json")));
    }

    @Test
    void gradcamCams() throws Exception {
        CommandModule m = run(CamsCommand.class, "imp", image(), "labels", "aeroplane;person", "model", TINY, "method", "gradcam",
                "synonyms", "none", "background", "none");
        assertEquals(2, ((ImagePlus) m.getOutput("cams")).getStackSize(), String.valueOf(m.getCancelReason()));
    }

    @Test
    void trainAdaptersEscStopsWithACheckpointAndARerunContinues(@TempDir Path tmp) throws Exception {
        Object[] inputs = {"input", VOC.resolve("JPEGImages").toFile(), "labels", VOC.resolve("labels.csv").toString(),
            "classes", "aeroplane;person;tvmonitor;cat;dog;sofa", "output", tmp.toFile(), "model", TINY, "steps", 3, "lr", 0.01};
        IJ.setKeyDown(java.awt.event.KeyEvent.VK_ESCAPE);
        try {
            CommandModule stopped = run(org.clipwsss.plugin.commands.TrainAdaptersCommand.class, inputs);
            assertTrue(String.valueOf(stopped.getOutput("summary")).startsWith("stopped after step 0 of 3"),
                    stopped.getCancelReason() + " " + stopped.getOutput("summary"));
        } finally {
            IJ.resetEscape();
        }
        assertTrue(Files.isRegularFile(tmp.resolve("checkpoint.json")) && !Files.exists(tmp.resolve("adapters.safetensors")));
        CommandModule m = run(org.clipwsss.plugin.commands.TrainAdaptersCommand.class, inputs);
        assertTrue(String.valueOf(m.getOutput("summary")).startsWith("3 steps"), m.getCancelReason() + " " + m.getOutput("summary"));
        assertTrue(Files.isRegularFile(tmp.resolve("adapters.safetensors")));

        // the pseudo mask with these adapters
        CommandModule mask = run(PseudoMaskCommand.class, "imp", image(), "labels", "aeroplane;person", "model", TINY,
                "adapters", tmp.toFile(), "rois", false, "table", false);
        assertNotNull(mask.getOutput("mask"), String.valueOf(mask.getCancelReason()));
    }

    @Test
    void trainMaskGeneratorAbcThenCamsWithIt(@TempDir Path tmp) throws Exception {
        CommandModule m = run(org.clipwsss.plugin.commands.TrainMaskGeneratorCommand.class, "input", VOC.resolve("JPEGImages").toFile(),
                "labels", VOC.resolve("labels.csv").toString(), "classes", "aeroplane;person;tvmonitor;cat;dog;sofa", "output", tmp.toFile(),
                "model", TINY, "stages", "abc", "steps", 2, "lr", 0.01, "batch", 4, "adapters", true, "promptsteps", 2);
        assertTrue(String.valueOf(m.getOutput("summary")).startsWith("2 steps"), m.getCancelReason() + " " + m.getOutput("summary"));
        for (String f : new String[] {"mask_generator.onnx", "mask_generator.json", "prompt_embeds.npy", "adapters.safetensors"}) {
            assertTrue(Files.isRegularFile(tmp.resolve(f)), f);
        }
        CommandModule cams = run(CamsCommand.class, "imp", image(), "labels", "aeroplane;person", "model", TINY, "method", "onnx",
                "cammodel", tmp.resolve("mask_generator.onnx").toFile(), "synonyms", "none",
                "background", tmp.resolve("prompt_embeds.npy").toString(), "adapters", tmp.toFile());
        assertEquals(2, ((ImagePlus) cams.getOutput("cams")).getStackSize(), String.valueOf(cams.getCancelReason()));
    }
}
