package org.clipwsss.runtime.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-graph cache is keyed on the checkpoint's content, and a damaged entry says which folder to delete. */
class BuiltGraphsCacheKeyTest {
    @TempDir
    Path tmp;
    static SessionFactory sessions;

    @BeforeAll
    static void start() {
        sessions = new SessionFactory(Device.CPU, 1);
    }

    @AfterAll
    static void stop() {
        sessions.close();
    }

    /** clip-tiny's config and weights, without the ONNX export (graphs come from the safetensors). */
    private Path copyOfTiny() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        for (String f : List.of("config.json", "preprocessor_config.json", "model.safetensors")) {
            Files.copy(Fixtures.CLIP_TINY.resolve(f), dir.resolve(f));
        }
        return dir;
    }

    private ClipModel open(Path dir) {
        return ClipModel.open(dir, ClipModel.Options.defaults().withSource(GraphSource.SAFETENSORS)
                .withSessions(sessions).withCacheRoot(tmp.resolve("cache")));
    }

    private static NpyArray ids() {
        long[] row = new long[77];
        row[0] = 49406;
        row[1] = 320;
        row[2] = 2368;
        row[3] = 49407;
        return NpyArray.ofLongs(row, 1, 77);
    }

    private float[] embed(Path dir) {
        try (ClipModel model = open(dir)) {
            return model.textEmbeds(ids(), null).floats();
        }
    }

    private Path graph(Path dir) {
        try (ClipModel model = open(dir)) {
            return model.graphFile(ClipGraphs.Kind.TEXT);
        }
    }

    /** The same bytes with every float of the data negated: the same size, other weights. */
    private static byte[] otherWeights(byte[] safetensors) {
        long headerLength = ByteBuffer.wrap(safetensors, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] out = safetensors.clone();
        for (long i = 8 + headerLength + 3; i < out.length; i += 4) {
            out[(int) i] ^= (byte) 0x80;
        }
        return out;
    }

    @Test
    void weightsReplacedWithTheSameSizeAndTimeGetGraphsOfTheirOwn() throws IOException {
        Path dir = copyOfTiny();
        Path st = dir.resolve("model.safetensors");
        FileTime time = Files.getLastModifiedTime(st);
        float[] before = embed(dir);
        Path graphBefore = graph(dir);

        // cp -p: new content written over the old file, the size and the modification time kept
        byte[] replaced = otherWeights(Files.readAllBytes(st));
        Files.write(st, replaced, StandardOpenOption.TRUNCATE_EXISTING);
        Files.setLastModifiedTime(st, time);
        assertEquals(replaced.length, Files.size(st));
        assertEquals(time, Files.getLastModifiedTime(st));

        float[] after = embed(dir);
        Path graphAfter = graph(dir);
        assertNotEquals(graphBefore.getParent(), graphAfter.getParent(), "a cache folder of its own");
        assertFalse(Arrays.equals(before, after), "the new weights are used");

        // the same as a model folder that never had the old weights
        Path fresh = Files.createDirectories(tmp.resolve("fresh"));
        for (String f : List.of("config.json", "preprocessor_config.json")) {
            Files.copy(dir.resolve(f), fresh.resolve(f));
        }
        Files.write(fresh.resolve("model.safetensors"), replaced);
        float[] expected;
        try (ClipModel model = ClipModel.open(fresh, ClipModel.Options.defaults().withSource(GraphSource.SAFETENSORS)
                .withSessions(sessions).withCacheRoot(tmp.resolve("other-cache")))) {
            expected = model.textEmbeds(ids(), null).floats();
        }
        assertTrue(Arrays.equals(expected, after), "graphs of the new weights");

        // putting the old weights back finds their graphs again
        Files.write(st, otherWeights(replaced), StandardOpenOption.TRUNCATE_EXISTING);
        Files.setLastModifiedTime(st, time);
        assertEquals(graphBefore, graph(dir));
    }

    @Test
    void contentHashIsOfTheWholeFileAndRemembered() throws IOException {
        Path a = Files.write(tmp.resolve("a.bin"), new byte[] {1, 2, 3, 4});
        byte[] h1 = BuiltGraphs.contentHash(a);
        assertEquals(32, h1.length);
        assertTrue(Arrays.equals(h1, BuiltGraphs.contentHash(a)));
        FileTime time = Files.getLastModifiedTime(a);
        Files.write(a, new byte[] {1, 2, 3, 5}, StandardOpenOption.TRUNCATE_EXISTING);
        Files.setLastModifiedTime(a, time);
        assertFalse(Arrays.equals(h1, BuiltGraphs.contentHash(a)), "the last byte changed");
    }

    @Test
    void aDamagedCacheEntryNamesTheFolderToDelete() throws IOException {
        Path dir = copyOfTiny();
        Path text = graph(dir);
        assertTrue(Files.isRegularFile(text.resolveSibling(text.getFileName() + ".crc32c")));
        Files.write(text, new byte[] {1, 2, 3});
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> embed(dir));
        assertTrue(e.getMessage().startsWith(text + ": the cached graph is damaged"), e.getMessage());
        assertTrue(e.getMessage().contains("delete the folder " + text.getParent().toAbsolutePath()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        // a graph without its check file (an interrupted build) is built again
        Files.delete(text.resolveSibling(text.getFileName() + ".crc32c"));
        assertEquals(List.of(1L, 32L), Arrays.stream(shape(dir)).boxed().toList());
        assertTrue(Files.size(text) > 3);
    }

    private long[] shape(Path dir) {
        try (ClipModel model = open(dir)) {
            return model.textEmbeds(ids(), null).shape();
        }
    }

    @Test
    void tokenIdsAreCheckedBeforeTheGraphRuns() throws IOException {
        Path dir = copyOfTiny();
        try (ClipModel model = open(dir)) {
            long[] row = ids().toLongs();
            row[5] = -1;
            ClipWsssException e = assertThrows(ClipWsssException.class,
                    () -> model.textEmbeds(NpyArray.ofLongs(row, 1, 77), null));
            assertTrue(e.getMessage().contains("row 0, position 5: token id -1 is outside the vocabulary"), e.getMessage());
            long[] two = new long[2 * 77];
            System.arraycopy(ids().toLongs(), 0, two, 0, 77);
            System.arraycopy(ids().toLongs(), 0, two, 77, 77);
            two[77 + 76] = 49408;
            e = assertThrows(ClipWsssException.class, () -> model.textEmbeds(NpyArray.ofLongs(two, 2, 77), null));
            assertTrue(e.getMessage().contains("row 1, position 76: token id 49408"), e.getMessage());
            e = assertThrows(ClipWsssException.class, () -> model.textEmbeds(NpyArray.ofLongs(new long[0], 3, 0), null));
            assertTrue(e.getMessage().contains("input_ids [3, 0] is empty: its rows have no tokens"), e.getMessage());
            long[] padding = new long[2 * 77];
            System.arraycopy(ids().toLongs(), 0, padding, 0, 77);
            e = assertThrows(ClipWsssException.class, () -> model.textEmbeds(NpyArray.ofLongs(padding, 2, 77), null));
            assertTrue(e.getMessage().contains("input_ids row 1 has no end token 49407"), e.getMessage());
            assertEquals(List.of(0L, 32L), Arrays.stream(model.textEmbeds(NpyArray.ofLongs(new long[0], 0, 77), null)
                    .shape()).boxed().toList(), "no texts, no embeddings");
            e = assertThrows(ClipWsssException.class, () -> model.textEmbeds(NpyArray.ofFloats(new float[77], 1, 77), null));
            assertTrue(e.getMessage().contains("int64 or int32"), e.getMessage());
            e = assertThrows(ClipWsssException.class,
                    () -> model.textEmbeds(ids(), NpyArray.ofLongs(new long[76], 1, 76)));
            assertTrue(e.getMessage().contains("attention_mask [1, 76]"), e.getMessage());
            assertEquals(32, model.textEmbeds(NpyArray.ofInts(new int[] {49406, 49407}, 1, 2), null).shape()[1]);
        }
    }
}
