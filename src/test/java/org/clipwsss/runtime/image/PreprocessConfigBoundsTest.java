package org.clipwsss.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every size read from preprocessor_config.json is bounded, so a broken file cannot exhaust the memory. */
class PreprocessConfigBoundsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"size\": {\"shortest_edge\": 1e9}}                       | size.shortest_edge",
        "{\"size\": {\"shortest_edge\": 1000000000}}                | size.shortest_edge",
        "{\"size\": {\"shortest_edge\": 8193}}                      | size.shortest_edge",
        "{\"size\": 99999999999}                                    | size must",
        "{\"size\": {\"height\": 224, \"width\": 100000}}           | size.width",
        "{\"crop_size\": 1000000000}                                | crop_size must",
        "{\"crop_size\": {\"height\": 1000000, \"width\": 224}}     | crop_size.height",
        "{\"crop_size\": {\"height\": 224, \"width\": -224}}        | crop_size.width",
    })
    void hugeSizesAreRefusedNamingTheFileAndTheKey(String json, String key) throws IOException {
        Path file = Files.writeString(tmp.resolve("preprocessor_config.json"), json);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> PreprocessConfig.load(file));
        assertTrue(e.getMessage().startsWith(file + ": not a valid preprocessor config (" + key), e.getMessage());
        assertTrue(e.getMessage().contains("from 1 to " + PreprocessConfig.MAX_SIDE), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"1", "224", "8192"})
    void sizesWithinTheBoundAreKept(int side) {
        PreprocessConfig c = PreprocessConfig.parse("{\"size\": {\"shortest_edge\": " + side + "}, \"crop_size\": "
                + side + "}");
        assertEquals(side, c.shortestEdge());
        assertEquals(side, c.cropSize());
    }
}
