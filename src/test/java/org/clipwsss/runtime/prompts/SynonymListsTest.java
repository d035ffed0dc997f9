package org.clipwsss.runtime.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynonymListsTest {
    private static final List<String> VOC = ClassList.voc().names();

    @TempDir
    Path dir;

    @Test
    void everyBundledListLoadsWithCandidatesForAllTwentyVocClasses() {
        List<String> names = SynonymLists.bundledListNames();
        assertEquals(24, names.size());
        assertTrue(names.contains(SynonymLists.DEFAULT_LIST));
        for (String name : names) {
            SynonymLists lists = SynonymLists.bundled(name);
            for (String cls : VOC) {
                List<String> candidates = lists.candidates(cls);
                assertFalse(candidates.isEmpty(), name + " " + cls);
                assertEquals(candidates.size(), candidates.stream().distinct().count(), name + " " + cls);
                // every bundled list has its own words for every class (person under POLE's "player")
                assertNotEquals(List.of(cls), candidates, name + " " + cls);
            }
        }
    }

    @Test
    void gptPromptsAnswersToPoleAndVocClassNames() {
        SynonymLists gpt = SynonymLists.bundled("gpt_prompts");
        assertEquals(List.of("person", "individual", "human", "people"), gpt.candidates("person"));
        assertEquals(gpt.candidates("person"), gpt.candidates("player"));
        List<String> table = List.of("dining table", "kitchen table", "dinner table", "breakfast table");
        for (String name : List.of("diningtable", "Dining Table", "dining table", " DINING_TABLE ")) {
            assertEquals(table, gpt.candidates(name), name);
        }
        assertEquals(gpt.candidates("tv monitor"), gpt.candidates("tvmonitor"));
        assertEquals(List.of("tv monitor", "television", "display screen", "flat screen"), gpt.candidates("TVMonitor"));
        assertEquals(List.of("train", "locomotive", "subway", "monorail"), gpt.candidates("train"));
        assertEquals(List.of("giraffe"), gpt.candidates("giraffe"));
        assertEquals("POLE list gpt_prompts", gpt.description());
    }

    @Test
    void bundledListsKeepSpellingAndOrderAndDropExactRepeats() {
        assertEquals(List.of("bus", "buse"), SynonymLists.bundled("ew_prompts").candidates("bus"));
        assertEquals(List.of("car", "vehicle", "Bmw", "van"), SynonymLists.bundled("British").candidates("car"));
        assertEquals(List.of("lemonade", "jar", "brandy"), SynonymLists.bundled("british").candidates("bottle"));
        assertEquals(12, SynonymLists.bundled("bnc_prompts").candidates("aeroplane").size());
    }

    @Test
    void unknownListNameListsTheAvailableOnes() {
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> SynonymLists.bundled("gpt5"));
        assertTrue(e.getMessage().startsWith("unknown synonym list 'gpt5' (bundled lists: British, "), e.getMessage());
        assertTrue(e.getMessage().contains("gpt_prompts"), e.getMessage());
    }

    @Test
    void jsonFile() throws IOException {
        Path file = write("syn.json", "{\"Cat\": [\"cat\", \"kitty\", \"cat\"], \"tv monitor\": [\"TV \", \"screen\"],"
                + " \"dog\": []}");
        SynonymLists lists = SynonymLists.load(file);
        assertEquals(List.of("cat", "kitty"), lists.candidates("cat"));
        assertEquals(List.of("TV ", "screen"), lists.candidates("tvmonitor"));
        assertEquals(List.of("dog"), lists.candidates("dog"));
        assertEquals(List.of("person"), lists.candidates("person"));
    }

    @Test
    void badJsonNamesTheFileAndWhere() throws IOException {
        Path broken = write("broken.json", "{\"cat\": [\"cat\",\n  \"kitty\"\n");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> SynonymLists.load(broken));
        assertTrue(e.getMessage().startsWith(broken + ": not valid JSON at line 3"), e.getMessage());

        Path notList = write("notlist.json", "{\"cat\": \"kitty\"}");
        e = assertThrows(ClipWsssException.class, () -> SynonymLists.load(notList));
        assertEquals(notList + ": class 'cat': expected a list of words, found STRING", e.getMessage());
    }

    @Test
    void csvFile() throws IOException {
        Path file = write("syn.csv", "class,word\n# cats first\ncat,cat\n\n cat , kitty \ncat,cat\n"
                + "person,\"person with clothes,people,human\"\n\"potted plant\",\"a \"\"house\"\" plant\"\n");
        SynonymLists lists = SynonymLists.load(file);
        assertEquals(List.of("cat", "kitty"), lists.candidates("Cat"));
        assertEquals(List.of("person with clothes,people,human"), lists.candidates("person"));
        assertEquals(List.of("a \"house\" plant"), lists.candidates("pottedplant"));
        assertEquals(List.of("dog"), lists.candidates("dog"));
    }

    @Test
    void badCsvLinesAreNamed() throws IOException {
        Path noComma = write("a.csv", "class,word\ncat,cat\n\ncat kitty\n");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> SynonymLists.load(noComma));
        assertEquals(noComma + ": line 4: expected two fields 'class,word', found 1", e.getMessage());

        Path three = write("b.csv", "cat,kitty,kitten\n");
        e = assertThrows(ClipWsssException.class, () -> SynonymLists.load(three));
        assertTrue(e.getMessage().startsWith(three + ": line 1: expected two fields 'class,word', found 3"), e.getMessage());

        Path open = write("c.csv", "cat,\"kitty\ndog,dog\n");
        e = assertThrows(ClipWsssException.class, () -> SynonymLists.load(open));
        assertEquals(open + ": line 1: a quote is not closed", e.getMessage());

        Path empty = write("d.csv", "cat,kitty\ndog,\n");
        e = assertThrows(ClipWsssException.class, () -> SynonymLists.load(empty));
        assertEquals(empty + ": line 2: empty class or word", e.getMessage());

        Path missing = dir.resolve("missing.csv");
        e = assertThrows(ClipWsssException.class, () -> SynonymLists.load(missing));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    @Test
    void givenListsAndNone() {
        SynonymLists lists = SynonymLists.of(Map.of("Dining Table", List.of("table", "dinner table", "table")));
        assertEquals(List.of("table", "dinner table"), lists.candidates("diningtable"));
        assertEquals(List.of("cat"), lists.candidates("cat"));
        assertEquals(List.of("Dining Table"), SynonymLists.none().candidates("Dining Table"));
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
