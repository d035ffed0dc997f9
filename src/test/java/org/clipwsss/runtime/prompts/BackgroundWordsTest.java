package org.clipwsss.runtime.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackgroundWordsTest {
    @TempDir
    Path dir;

    @Test
    void clipEsWordsAreTheSameTwentyFiveForEveryClass() {
        BackgroundWords clipEs = BackgroundWords.clipEs();
        List<String> words = clipEs.words("cat");
        assertEquals(25, words.size());
        assertEquals(List.of("ground", "land", "grass"), words.subList(0, 3));
        assertEquals("sign", words.get(24));
        assertEquals(words, clipEs.words("boat"));
        assertEquals(words, clipEs.words("anything"));
    }

    @Test
    void climsSets() {
        List<String> global = BackgroundWords.climsGlobal().words("cat");
        assertEquals(List.of("tree", "river", "sea", "lake", "water", "railway", "railroad", "track", "stone", "rocks"),
                global);

        BackgroundWords cameraReady = BackgroundWords.climsCameraReady();
        assertEquals(List.of("river", "water", "lake", "sea", "building"), cameraReady.words("boat"));
        assertEquals(List.of("railroad", "railway", "branches", "tree"), cameraReady.words("Train"));
        assertEquals(List.of(), cameraReady.words("cat"));
        assertEquals(List.of(), BackgroundWords.none().words("boat"));
    }

    @Test
    void namedSets() throws IOException {
        assertEquals(25, BackgroundWords.named("clip-es").words("cat").size());
        assertEquals(10, BackgroundWords.named("CLIMS").words("cat").size());
        assertEquals(5, BackgroundWords.named("clims-camera-ready").words("boat").size());
        assertEquals("none", BackgroundWords.named("none").description());
        Path file = Files.writeString(dir.resolve("bg.txt"), "sky\n");
        assertEquals(List.of("sky"), BackgroundWords.named(file.toString()).words("cat"));

        ClipWsssException e = assertThrows(ClipWsssException.class, () -> BackgroundWords.named("clipes"));
        assertEquals("unknown background words 'clipes' (choose clip-es, clims, clims-camera-ready, none,"
                + " or the path of an existing file)", e.getMessage());
        assertThrows(ClipWsssException.class, () -> BackgroundWords.named(dir.toString()));
    }

    @Test
    void plainTextFile() throws IOException {
        Path file = Files.writeString(dir.resolve("bg.txt"), "\uFEFF# mine\nsky\n\n  deep water \nsky\n");
        BackgroundWords words = BackgroundWords.load(file);
        assertEquals(List.of("sky", "deep water"), words.words("cat"));
        assertEquals(words.words("cat"), words.words("dog"));
        assertEquals(file.toString(), words.description());
    }

    @Test
    void jsonListFile() throws IOException {
        Path file = Files.writeString(dir.resolve("bg.json"), "  [\"sky\", \"grass\"]");
        assertEquals(List.of("sky", "grass"), BackgroundWords.load(file).words("person"));
    }

    @Test
    void jsonPerClassFile() throws IOException {
        Path file = Files.writeString(dir.resolve("bg.json"),
                "{\"*\": [\"sky\"], \"ALL\": [\"ground\"], \"boat\": [\"water\", \"sky\"], \"Dining Table\": [\"floor\"]}");
        BackgroundWords words = BackgroundWords.load(file);
        assertEquals(List.of("sky", "ground", "water"), words.words("boat"));
        assertEquals(List.of("sky", "ground", "floor"), words.words("diningtable"));
        assertEquals(List.of("sky", "ground"), words.words("cat"));
    }

    @Test
    void badFilesAreNamed() throws IOException {
        Path numbers = Files.writeString(dir.resolve("n.json"), "{\"boat\": [1]}");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> BackgroundWords.load(numbers));
        assertEquals(numbers + ": class 'boat': expected non-empty words, found 1", e.getMessage());

        Path broken = Files.writeString(dir.resolve("b.json"), "[\"sky\",");
        e = assertThrows(ClipWsssException.class, () -> BackgroundWords.load(broken));
        assertTrue(e.getMessage().startsWith(broken + ": not valid JSON at line 1"), e.getMessage());
    }
}
