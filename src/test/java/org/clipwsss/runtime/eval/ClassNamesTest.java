package org.clipwsss.runtime.eval;

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

class ClassNamesTest {
    @TempDir
    Path tmp;

    @Test
    void vocClassesTxtIsTheBuiltInList() {
        assertEquals(ClassNames.VOC, ClassNames.read(Path.of("src/test/resources/voc-sample/classes.txt")));
        assertEquals(21, ClassNames.VOC.size());
    }

    @Test
    void trimsAndDropsTrailingBlankLines() throws IOException {
        Path f = Files.writeString(tmp.resolve("c.txt"), "background\r\n nucleus \n\n\n");
        assertEquals(List.of("background", "nucleus"), ClassNames.read(f));
    }

    @Test
    void oneReaderForSegmentingAndEvaluating() throws IOException {
        // a 20-name VOC list without its background line means the same as with it (it shifted every name before)
        Path noBackground = Files.writeString(tmp.resolve("voc20.txt"), String.join("\n", ClassNames.VOC.subList(1, 21)) + "\n");
        assertEquals(ClassNames.VOC, ClassNames.read(noBackground));
        assertEquals(ClassNames.VOC, org.clipwsss.runtime.prompts.ClassList.load(noBackground).withBackground());
        Path blank = Files.writeString(tmp.resolve("blank.txt"), "background\n\ncat\n");
        assertEquals(List.of("background", "cat"), ClassNames.read(blank), "blank lines are skipped, as segment does");
    }

    @Test
    void rejectsBadLists() throws IOException {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 255; i++) {
            many.append("class").append(i).append('\n');
        }
        for (String text : new String[] {"background\ncat\ncat\n", "background\nCat\ncat\n", "\n\n", many.toString(),
            "cat\nbackground\n"}) {
            Path f = Files.writeString(tmp.resolve("bad.txt"), text);
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> ClassNames.read(f), text);
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        }
        Path missing = tmp.resolve("missing.txt");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> ClassNames.read(missing));
        assertTrue(e.getMessage().startsWith(missing + ": "), e.getMessage());
    }
}
