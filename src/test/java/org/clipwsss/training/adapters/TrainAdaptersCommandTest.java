package org.clipwsss.training.adapters;

import org.clipwsss.runtime.clip.Adapters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** train-adapters through picocli, handled as Main handles errors (the command is registered in Main separately). */
class TrainAdaptersCommandTest {
    @TempDir
    Path tmp;

    private String[] cli(int expected, String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(Class.forName("org.clipwsss.cli.TrainAdaptersCommand"));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ClipWsssException) {
                cmd.getErr().println("clip-wsss: error: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        int code = cli.execute(args);
        assertEquals(expected, code, "stdout " + out + "\nstderr " + err);
        return new String[] {out.toString(), err.toString()};
    }

    private String[] args(Path dir, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(),
                "--device", "cpu", "--classes", "cat;dog", "--names", "cat;puppy", "--pixels", dir.resolve("x.npy").toString(),
                "--masks", dir.resolve("m.npy").toString(), "--targets", dir.resolve("y.npy").toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void writesAdaptersJsonAndLossCsvAndResumes() throws Exception {
        AdapterTrainerTest.writeTensors(tmp, new float[] {1, 0, 1, 1});
        Path out = tmp.resolve("out");
        cli(0, args(tmp, "--optimizer", "adamw", "--lr", "0.01", "--steps", "2", "--seed", "4", "--out", out.toString()));
        List<String> rows = Files.readAllLines(out.resolve("loss.csv"));
        assertEquals(List.of("step,loss"), rows.subList(0, 1));
        assertEquals(3, rows.size());
        Adapters a = Adapters.load(out);
        assertEquals(32, a.dim());
        assertEquals(8, a.hidden());
        String json = Files.readString(out.resolve(Adapters.META));
        assertTrue(json.contains("\"embed_dim\" : 32") && json.contains("a photo of puppy.") && json.contains("\"beta\" : 24"), json);

        // the folder's checkpoint belongs to that run: other settings (here more steps) are refused, naming the file
        String err = cli(1, args(tmp, "--optimizer", "adamw", "--lr", "0.01", "--steps", "4", "--seed", "4", "--out", out.toString()))[1];
        assertTrue(err.contains("checkpoint.json") && err.contains("other settings"), err);
    }

    @Test
    void emptyDataAndBadNamesGiveClearErrors() throws Exception {
        AdapterTrainerTest.writeTensors(tmp, new float[] {0, 0, 0, 0});
        String err = cli(1, args(tmp, "--lr", "1", "--steps", "1", "--out", tmp.resolve("o").toString()))[1];
        assertTrue(err.contains("empty data set"), err);
        String[] a = args(tmp, "--lr", "1", "--steps", "1", "--out", tmp.resolve("o").toString());
        a[java.util.Arrays.asList(a).indexOf("cat;puppy")] = "cat";
        err = cli(1, a)[1];
        assertTrue(err.contains("one name per class"), err);
    }

    @Test
    void fromAFolderWithTheSelectedSynonymsThenSegmentWithThem() throws Exception {
        Path out = tmp.resolve("folder");
        String[] r = cli(0, "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(), "--device", "cpu",
                "--classes", "aeroplane;person;tvmonitor;cat;dog;sofa", "--input", "src/test/resources/voc-sample/JPEGImages",
                "--labels", "src/test/resources/voc-sample/labels.csv", "--optimizer", "adamw", "--lr", "0.01", "--steps", "3",
                "--out", out.toString());
        assertTrue(r[0].contains("7 (image, class) pairs"), r[0]);
        assertTrue(r[0].contains("step 3/3") && r[0].contains("ETA"), r[0]);
        assertEquals(4, Files.readAllLines(out.resolve("loss.csv")).size());
        String json = Files.readString(out.resolve(Adapters.META));
        // the texts are the names the pipeline's synonym selection chose (from the bundled POLE lists)
        String names = r[0].substring(r[0].indexOf("names [") + 7, r[0].indexOf("]", r[0].indexOf("names [")));
        for (String n : names.split(", ")) {
            assertTrue(json.contains("a photo of " + n + "."), n + " in " + json);
        }
        Adapters a = Adapters.load(out);
        assertEquals(32, a.dim());
        String[] missing = cli(1, "--model", Fixtures.CLIP_TINY.toString(), "--cache", tmp.resolve("c").toString(), "--device", "cpu",
                "--classes", "cat;dog;bird", "--input", "src/test/resources/voc-sample/JPEGImages", "--labels", "cat;dog", "--lr", "0.01",
                "--steps", "1", "--out", tmp.resolve("m").toString());
        assertTrue(missing[1].contains("class bird missing from the data"), missing[1]);
    }
}
