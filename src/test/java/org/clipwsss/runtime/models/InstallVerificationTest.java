package org.clipwsss.runtime.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelStore#install} checks each file's structure before it writes the install record: a broken file is
 * deleted and the install fails naming it (the manifests here list the broken files' true sizes and checksums, so
 * only the structural check can catch them). The record keeps each file's SHA-256.
 */
class InstallVerificationTest {
    private static final String ID = "test/clip-tiny";

    @TempDir
    Path tmp;
    private Path served;
    private FileServer server;
    private ModelStore store;

    @BeforeEach
    void start() throws IOException {
        served = tmp.resolve("served");
        ModelFiles.copyTree(ModelFiles.CLIP_TINY, served);
        server = new FileServer(served);
        store = new ModelStore(tmp.resolve("store"), new Downloader(Duration.ofSeconds(5), Duration.ofSeconds(10)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ManifestModel model() throws IOException {
        return ModelManifest.load(ModelFiles.writeManifest(tmp.resolve("manifest.json"), ID, server.url("files/"),
                served)).find(ID);
    }

    private Path installed(String file) {
        return tmp.resolve("store/test--clip-tiny").resolve(file);
    }

    /** Installs, expects failure because of {@code file}, and checks that it was deleted and nothing installed. */
    private String failsOn(String file, String problem) throws IOException {
        ManifestModel model = model();
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> store.install(model, DownloadListener.NONE, () -> false));
        String message = e.getMessage();
        assertTrue(message.startsWith(installed(file) + ": " + problem), message);
        assertTrue(message.endsWith("; downloaded from " + server.url("files/" + file) + ", it was deleted"), message);
        assertEquals(1, message.lines().count(), message);
        assertFalse(Files.exists(installed(file)), "the broken file is deleted");
        assertFalse(Files.exists(installed(ModelStore.INSTALL_RECORD)));
        assertEquals(List.of(), store.installed());
        return message;
    }

    @Test
    void recordsTheSha256OfEachInstalledFile() throws IOException {
        Path dir = store.install(model(), DownloadListener.NONE, () -> false);
        JsonNode record = new ObjectMapper().readTree(dir.resolve(ModelStore.INSTALL_RECORD).toFile());
        assertEquals(ID, record.get("id").asText());
        List<String> files = ModelFiles.files(served);
        assertEquals(files.size(), record.get("files").size());
        for (JsonNode f : record.get("files")) {
            String path = f.get("path").asText();
            assertTrue(files.contains(path), path);
            assertEquals(ModelFiles.sha256(served.resolve(path)), f.get("sha256").asText(), path);
            assertEquals(Files.size(served.resolve(path)), f.get("size").asLong(), path);
        }
    }

    @Test
    void aManifestWithoutSizesOrChecksumsStillRecordsThem() throws IOException {
        Path manifest = ModelFiles.writeManifest(tmp.resolve("manifest.json"), ID, server.url("files/"), served);
        String text = Files.readString(manifest).replaceAll("\"size\": \\d+", "\"size\": null")
                .replaceAll("\"sha256\": \"[0-9a-f]{64}\"", "\"sha256\": null");
        Files.writeString(manifest, text);
        Path dir = store.install(ModelManifest.load(manifest).find(ID), DownloadListener.NONE, () -> false);
        JsonNode record = new ObjectMapper().readTree(dir.resolve(ModelStore.INSTALL_RECORD).toFile());
        for (JsonNode f : record.get("files")) {
            assertEquals(ModelFiles.sha256(served.resolve(f.get("path").asText())), f.get("sha256").asText());
        }
        assertEquals(List.of(new InstalledModel(ID, dir, ID)), store.installed());
    }

    @Test
    void aSafetensorsFileThatDoesNotParseIsDeleted() throws IOException {
        byte[] junk = new byte[4096];
        Arrays.fill(junk, (byte) 'x');
        Files.write(served.resolve("model.safetensors"), junk);
        failsOn("model.safetensors", "not a valid safetensors file (header length ");
    }

    @Test
    void aSafetensorsFileWithBytesNoTensorCoversIsDeleted() throws IOException {
        Path file = served.resolve("model.safetensors");
        long size = Files.size(file);
        Files.write(file, new byte[16], StandardOpenOption.APPEND);
        String message = failsOn("model.safetensors", "not a valid safetensors file (its tensors take ");
        assertTrue(message.contains("but the data after the header is "), message);
        long header = ByteBuffer.wrap(Files.readAllBytes(ModelFiles.CLIP_TINY.resolve("model.safetensors")), 0, 8)
                .order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertTrue(message.contains("take " + (size - 8 - header) + " bytes but the data after the header is "
                + (size - 8 - header + 16) + " bytes"), message);
    }

    @Test
    void aSafetensorsFileWithAGapBetweenTensorsIsDeleted() throws IOException {
        // shift every data offset up by 8 and add 8 bytes: all tensors inside the data, no overlap, 8 bytes uncovered
        Path file = served.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, headerLength, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"data_offsets\":\\s*\\[(\\d+),\\s*(\\d+)\\]").matcher(header);
        StringBuilder shifted = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(shifted, "\"data_offsets\":[" + (Long.parseLong(m.group(1)) + 8) + ","
                    + (Long.parseLong(m.group(2)) + 8) + "]");
        }
        m.appendTail(shifted);
        byte[] newHeader = shifted.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + newHeader.length + 8 + bytes.length - 8 - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(newHeader.length).put(newHeader).put(new byte[8]).put(bytes, 8 + headerLength,
                bytes.length - 8 - headerLength);
        Files.write(file, out.array());
        failsOn("model.safetensors", "not a valid safetensors file (its tensors take ");
    }

    @Test
    void anOnnxFileThatDoesNotLoadIsDeleted() throws IOException {
        Path file = served.resolve("onnx/text_model.onnx");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        failsOn("onnx/text_model.onnx", "not a valid ONNX model (ONNX Runtime cannot load it: ");
        assertTrue(Files.exists(installed("onnx/vision_model.onnx")), "the good files stay for the next install");
    }

    @Test
    void aJsonFileThatDoesNotParseIsDeleted() throws IOException {
        Files.writeString(served.resolve("preprocessor_config.json"), "{\"crop_size\": 224,");
        failsOn("preprocessor_config.json", "not valid JSON (");
    }

    @Test
    void anEmptyJsonFileIsDeleted() throws IOException {
        Files.writeString(served.resolve("config.json"), "");
        failsOn("config.json", "not valid JSON (the file is empty)");
    }

    @Test
    void theNextInstallAfterAFixDownloadsTheDeletedFileAgain() throws IOException {
        Path file = served.resolve("preprocessor_config.json");
        String good = Files.readString(file);
        Files.writeString(file, "not json");
        failsOn("preprocessor_config.json", "not valid JSON (");
        Files.writeString(file, good);
        Path dir = store.install(model(), DownloadListener.NONE, () -> false);
        assertEquals(good, Files.readString(dir.resolve("preprocessor_config.json")));
        assertEquals(List.of(new InstalledModel(ID, dir, ID)), store.installed());
    }
}
