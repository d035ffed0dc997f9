package org.clipwsss.runtime.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON file beside a --cam-model: input_size as one int or [h, w], anything else a clear error. */
class OnnxCamsSidecarTest {
    @TempDir
    Path tmp;

    private OnnxCams.Sidecar read(String json) throws IOException {
        return OnnxCams.Sidecar.read(Files.writeString(tmp.resolve("net.json"), json));
    }

    @Test
    void inputSizeIsAnIntOrAPairOrAbsent() throws IOException {
        assertArrayEquals(new int[] {224, 224}, read("{\"classes\": [\"cat\"], \"input_size\": 224}").inputSize());
        assertArrayEquals(new int[] {320, 480}, read("{\"classes\": [\"cat\"], \"input_size\": [320, 480]}").inputSize());
        assertNull(read("{\"classes\": [\"cat\"]}").inputSize());
        assertNull(read("{\"classes\": [\"cat\"], \"input_size\": null}").inputSize());
        OnnxCams.Sidecar s = read("{\"classes\": [\"cat\", \"dog\"]}");
        assertEquals(List.of("cat", "dog"), s.classes());
        assertEquals("none", s.activation());
        assertEquals(1 / 255.0, s.rescale(), 1e-15);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"224\"", "[224]", "[224, \"224\"]", "[224, 224, 3]", "0", "-1", "8193", "1e9",
        "4294967296", "22.5", "true", "{\"height\": 224, \"width\": 224}"})
    void otherInputSizesAreRefusedSayingWhatIsAccepted(String size) throws IOException {
        Path json = tmp.resolve("net.json");
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> read("{\"classes\": [\"cat\"], \"input_size\": " + size + "}"));
        assertTrue(e.getMessage().startsWith(json + ": \"input_size\" must be one integer (a square side) or [height,"
                + " width], 1..8192, but it is "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"text\"", "{\"classes\": []}", "{\"classes\": [null]}", "{\"classes\": [\"a\", {}]}",
        "{\"classes\": [\"a\"], \"mean\": [1, 2]}", "{\"classes\": [\"a\"], \"mean\": [1, 2, \"3\"]}",
        "{\"classes\": [\"a\"], \"std\": [1, 0, 1]}", "{\"classes\": [\"a\"], \"rescale\": \"1\"}",
        "{\"classes\": [\"a\"], \"rescale\": -1}", "{\"classes\": [\"a\"], \"activation\": 3}",
        "{\"classes\": [\"a\"], \"activation\": \"softmax\"}", "{\"classes\": [\"a\"]", ""})
    void otherBadFieldsAreOneLineErrorsNamingTheFile(String text) throws IOException {
        Path json = tmp.resolve("net.json");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> read(text));
        assertTrue(e.getMessage().startsWith(json + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aFolderInsteadOfTheJsonIsAReadError() throws IOException {
        Path json = Files.createDirectory(tmp.resolve("net.json"));
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> OnnxCams.Sidecar.read(json));
        assertTrue(e.getMessage().startsWith(json + ": could not read"), e.getMessage());
    }
}
