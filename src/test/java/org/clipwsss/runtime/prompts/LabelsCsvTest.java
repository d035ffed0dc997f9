package org.clipwsss.runtime.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelsCsvTest {
    @TempDir
    Path dir;

    static Path resource(String name) throws URISyntaxException {
        return Path.of(LabelsCsvTest.class.getResource("/prompts/" + name).toURI());
    }

    @Test
    void vocSample() throws URISyntaxException {
        LabelsCsv labels = LabelsCsv.load(resource("labels.csv"));
        assertEquals(676, labels.size());
        assertEquals(676, labels.imageNames().size());
        assertEquals(1112, labels.imageNames().stream().mapToInt(n -> labels.labelsFor(n).size()).sum());
        assertEquals("2007_000032", labels.imageNames().iterator().next());
        assertEquals(List.of("aeroplane", "person"), labels.labelsFor("2007_000032.jpg"));
        assertEquals(List.of("aeroplane", "person"), labels.labelsFor("2007_000032"));
        assertEquals(266, labels.imageNames().stream().filter(n -> labels.labelsFor(n).contains("person")).count());
        assertEquals(20, labels.allLabels().size());
        assertEquals(Set.copyOf(ClassList.voc().names()), Set.copyOf(labels.allLabels()));
        assertEquals(List.of("aeroplane", "person"), labels.allLabels().subList(0, 2));
        assertNull(labels.labelsFor("2099_000001.jpg"));
    }

    @Test
    void namesWithAndWithoutExtension() throws IOException {
        LabelsCsv labels = LabelsCsv.load(write("image,labels\n\"a.jpg\", cat ; ;dog\nb,\na,bird\nc.d.png,cow\n"));
        assertEquals(List.of("cat", "dog"), labels.labelsFor("a.jpg"));
        assertEquals(List.of("bird"), labels.labelsFor("a.png"));
        assertEquals(List.of("bird"), labels.labelsFor("a"));
        assertEquals(List.of(), labels.labelsFor("b.tif"));
        assertEquals(List.of("cow"), labels.labelsFor("c.d.png"));
        assertNull(labels.labelsFor("c.d"));
        assertNull(labels.labelsFor("c.jpg"));
        assertNull(labels.labelsFor(".jpg"));
        assertEquals(List.of("cat", "dog", "bird", "cow"), labels.allLabels());
        assertEquals(4, labels.size());
    }

    @Test
    void headerIsOptional() throws IOException {
        LabelsCsv labels = LabelsCsv.load(write("x,cat\n"));
        assertEquals(List.of("cat"), labels.labelsFor("x.jpg"));
        assertEquals(1, labels.size());
    }

    @Test
    void duplicateRowNamesBothLines() throws IOException {
        Path file = write("image,labels\na,cat\n\nb,dog\na,bird\n");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> LabelsCsv.load(file));
        assertEquals(file + ": line 5: image 'a' is already listed on line 2", e.getMessage());
    }

    @Test
    void lineWithoutCommaIsNamed() throws IOException {
        Path file = write("image,labels\na,cat\nb cat;dog\n");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> LabelsCsv.load(file));
        assertEquals(file + ": line 3: expected two fields 'image,labels', found 1", e.getMessage());

        Path empty = write(",cat\n");
        e = assertThrows(ClipWsssException.class, () -> LabelsCsv.load(empty));
        assertEquals(empty + ": line 1: empty image name", e.getMessage());
    }

    private Path write(String text) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "labels", ".csv"), text);
    }

    @Test
    void lookupTakesAFileOrOneLabelSetForAll(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "image,labels\na,cat;dog\nb,\n");
        var fromFile = LabelsCsv.lookup(csv.toString());
        assertEquals(List.of("cat", "dog"), fromFile.apply(dir.resolve("a.jpg")));
        assertEquals(List.of(), fromFile.apply(dir.resolve("b.png")));
        assertNull(fromFile.apply(dir.resolve("c.png")));
        var fixed = LabelsCsv.lookup(" nucleus ; cell ");
        assertEquals(List.of("nucleus", "cell"), fixed.apply(dir.resolve("anything.tif")));
    }
}
