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
    void rejectsBadLists() throws IOException {
        for (String text : new String[] {"background\n\ncat\n", "background\ncat\ncat\n", "\n\n"}) {
            Path f = Files.writeString(tmp.resolve("bad.txt"), text);
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> ClassNames.read(f), text);
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        }
        Path missing = tmp.resolve("missing.txt");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> ClassNames.read(missing));
        assertTrue(e.getMessage().startsWith(missing + ": could not read"), e.getMessage());
    }
}
