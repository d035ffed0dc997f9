package org.clipwsss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** runtime/ and training/ know nothing of ImageJ or SciJava; every class is in a package. */
class ArchitectureTest {
    private static final Pattern FORBIDDEN = Pattern.compile("^\\s*import\\s+(static\\s+)?(ij|net\\.imagej|org\\.scijava)\\.",
            Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("\\b(ij\\.(IJ|ImagePlus|process)|net\\.imagej\\.|org\\.scijava\\.)");

    @Test
    void runtimeAndTrainingDoNotUseImageJOrSciJava() throws IOException {
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        for (String root : new String[] {"runtime/src/main/java", "training/src/main/java"}) {
            for (Path p : javaFiles(Path.of(root))) {
                checked++;
                String src = Files.readString(p);
                if (FORBIDDEN.matcher(src).find() || QUALIFIED.matcher(src).find()) {
                    offenders.add(p.toString());
                }
            }
        }
        assertTrue(checked > 10, "found only " + checked + " runtime sources: is the working directory the project root?");
        assertEquals(List.of(), offenders);
    }

    /** training depends on runtime, never the other way (training's CAM methods come in through CamSourceProvider). */
    @Test
    void runtimeDoesNotUseTraining() throws IOException {
        Pattern training = Pattern.compile("\\borg\\.clipwsss\\.training\\b");
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        for (Path p : javaFiles(Path.of("runtime/src/main/java"))) {
            checked++;
            if (training.matcher(Files.readString(p)).find()) {
                offenders.add(p.toString());
            }
        }
        assertTrue(checked > 10, "found only " + checked + " runtime sources: is the working directory the project root?");
        assertEquals(List.of(), offenders);
    }

    @Test
    void noDefaultPackageClasses() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (String root : new String[] {"runtime/src/main/java", "training/src/main/java", "plugin/src/main/java", "src/test/java"}) {
            for (Path p : javaFiles(Path.of(root))) {
                if (!Files.readString(p).contains("\npackage ") && !Files.readString(p).startsWith("package ")) {
                    offenders.add(p.toString());
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    private static List<Path> javaFiles(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }
}
