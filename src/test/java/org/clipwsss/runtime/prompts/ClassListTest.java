package org.clipwsss.runtime.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassListTest {
    @TempDir
    Path dir;

    @Test
    void vocClassesFile() throws URISyntaxException, IOException {
        Path file = LabelsCsvTest.resource("classes.txt");
        ClassList classes = ClassList.load(file);
        assertEquals(20, classes.names().size());
        assertEquals(ClassList.voc().names(), classes.names());
        assertEquals(Files.readAllLines(file), classes.withBackground());
        assertEquals(15, classes.indexOf("person"));
        assertEquals(1, classes.indexOf("aeroplane"));
        assertEquals(20, classes.indexOf("tvmonitor"));
        assertEquals(11, classes.indexOf("Dining Table"));
        assertEquals(20, classes.indexOf("tv monitor"));
        assertEquals(-1, classes.indexOf("background"));
        assertEquals(-1, classes.indexOf("player"));
    }

    @Test
    void writeAndReadBack() throws IOException {
        ClassList classes = ClassList.of(List.of("nucleus", "cell wall"));
        Path file = dir.resolve("classes.txt");
        classes.writeTo(file);
        assertEquals("background\nnucleus\ncell wall\n", Files.readString(file));
        assertEquals(classes.names(), ClassList.load(file).names());
        assertEquals(2, classes.indexOf("Cell_Wall"));
    }

    @Test
    void withoutBackgroundLineAndBlankLines() throws IOException {
        ClassList classes = ClassList.load(Files.writeString(dir.resolve("c.txt"), "\n cat \n\ndog\n"));
        assertEquals(List.of("cat", "dog"), classes.names());
        assertEquals(List.of("background", "cat", "dog"), classes.withBackground());
        assertEquals(List.of("cat"), ClassList.of(List.of("Background", "cat")).names());
    }

    @Test
    void badListsAreRejected() throws IOException {
        Path twice = Files.writeString(dir.resolve("twice.txt"), "background\ncat\nCat\n");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> ClassList.load(twice));
        assertEquals(twice + ": class 'Cat' is listed twice", e.getMessage());

        Path late = Files.writeString(dir.resolve("late.txt"), "cat\nbackground\n");
        e = assertThrows(ClipWsssException.class, () -> ClassList.load(late));
        assertEquals(late + ": 'background' may only come first (label value 0)", e.getMessage());

        e = assertThrows(ClipWsssException.class, () -> ClassList.of(List.of("background")));
        assertEquals("class list: no classes besides background", e.getMessage());
    }
}
