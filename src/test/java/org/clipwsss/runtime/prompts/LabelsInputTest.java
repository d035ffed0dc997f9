package org.clipwsss.runtime.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A labels value that names a missing file, and a labels file with another header, are errors, not bogus classes. */
class LabelsInputTest {
    @TempDir
    Path tmp;

    @Test
    void aTypoInALabelsFileNameIsAnErrorNotAClass() throws Exception {
        for (String typo : new String[] {tmp.resolve("labelz.csv").toString(), "data/labelz.csv", "labels.txt", "dir\\\\x"}) {
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> LabelsCsv.fileOrNull(typo), typo);
            assertTrue(e.getMessage().contains("labels file not found"), e.getMessage());
        }
        assertNull(LabelsCsv.fileOrNull("cat;dog"), "a label set");
        assertNull(LabelsCsv.fileOrNull("nucleus"), "one label");
        Path real = Files.writeString(tmp.resolve("labels.csv"), "image,labels\na.jpg,cat\n");
        assertEquals(real, LabelsCsv.fileOrNull(real.toString()));
        assertEquals(List.of("cat"), LabelsCsv.lookup(real.toString()).apply(Path.of("a.jpg")));
    }

    @Test
    void aHeaderOtherThanImageLabelsIsNamed() throws Exception {
        Path f = Files.writeString(tmp.resolve("l.csv"), "filename,tags\na.jpg,cat\n");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> LabelsCsv.load(f));
        assertEquals(f + ": line 1: the header 'filename,tags' is not 'image,labels' (write that header, or none)", e.getMessage());
        Path none = Files.writeString(tmp.resolve("n.csv"), "a.jpg,cat;dog\n");
        assertEquals(List.of("cat", "dog"), LabelsCsv.load(none).labelsFor("a.jpg"), "no header is fine");
    }
}
