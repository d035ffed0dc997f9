package org.clipwsss.runtime.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelManifestTest {
    private static final Path BUNDLED = Path.of("onnx-models/manifest.json");

    @TempDir
    Path tmp;

    @Test
    void bundledClipTinyEntryMatchesTheBundledFiles() throws IOException {
        ManifestModel tiny = ModelManifest.load(BUNDLED).find("clip-tiny");
        assertEquals("onnx-models/clip-tiny", tiny.bundled());
        assertFalse(tiny.downloadable());
        assertEquals(ModelFiles.files(ModelFiles.CLIP_TINY),
                tiny.files().stream().map(ManifestFile::path).sorted().toList(), "every bundled file is listed");
        for (ManifestFile f : tiny.files()) {
            Path file = Path.of(tiny.bundled()).resolve(f.path());
            assertEquals(Files.size(file), f.size(), f.path());
            assertEquals(ModelFiles.sha256(file), f.sha256(), f.path());
        }
    }

    @Test
    void bundledManifestListsTheHuggingFaceModels() {
        ModelManifest manifest = ModelManifest.load(BUNDLED);
        for (String name : List.of("clip-vit-base-patch32", "clip-vit-base-patch16")) {
            ManifestModel m = manifest.find("openai/" + name);
            assertEquals("MIT", m.license());
            assertEquals(List.of("config.json", "preprocessor_config.json", "tokenizer.json", "vocab.json", "merges.txt",
                    "model.safetensors"), m.requiredFiles().stream().map(ManifestFile::path).toList());
            assertEquals(URI.create("https://huggingface.co/openai/" + name + "/resolve/main/model.safetensors"),
                    m.fileUrl(m.files().get(5)));
            assertEquals("openai--" + name, m.folderName());
            assertTrue(m.downloadSize().isEmpty(), "not every size is recorded");
            assertEquals(316L, m.files().get(1).size(), "preprocessor_config.json's size, as Hugging Face's page states it");
        }
        ManifestModel xenova = manifest.find("Xenova/clip-vit-base-patch32");
        assertEquals(List.of("config.json", "preprocessor_config.json", "tokenizer.json", "onnx/vision_model.onnx",
                "onnx/text_model.onnx"), xenova.requiredFiles().stream().map(ManifestFile::path).toList());
        assertEquals(List.of("onnx/vision_model_quantized.onnx", "onnx/text_model_quantized.onnx"),
                xenova.files().stream().filter(ManifestFile::optional).map(ManifestFile::path).toList());
        assertEquals(URI.create("https://huggingface.co/Xenova/clip-vit-base-patch32/resolve/4c1807b705b1d015fb032789cc4d221b23025a6f/onnx/text_model.onnx"),
                xenova.fileUrl(xenova.files().get(4)), "pinned to the revision whose checksum is recorded");
        assertNull(xenova.files().get(0).sha256());
        assertEquals("fd6e1402a588279d1723c7534d4bcba5bc0b14b47dfab0e46f8c47b8270d7d40", xenova.files().get(3).sha256());
    }

    @Test
    void unknownIdListsTheKnownOnes() {
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> ModelManifest.load(BUNDLED).find("nope/x"));
        assertTrue(e.getMessage().contains("'nope/x'") && e.getMessage().contains("openai/clip-vit-base-patch16, ")
                && e.getMessage().contains("clip-tiny"), e.getMessage());
    }

    @Test
    void downloadSizeAddsTheRequiredFiles() throws IOException {
        Path file = ModelFiles.writeManifest(tmp.resolve("m.json"), "a/b", "http://127.0.0.1:1/", ModelFiles.CLIP_TINY);
        ManifestModel m = ModelManifest.load(file).find("a/b");
        long total = 0;
        for (String f : ModelFiles.files(ModelFiles.CLIP_TINY)) {
            total += Files.size(ModelFiles.CLIP_TINY.resolve(f));
        }
        assertEquals(total, m.downloadSize().orElseThrow());
    }

    @Test
    void invalidManifestsNameTheFileAndTheProblem() throws IOException {
        String file = "{\"path\": \"config.json\", \"size\": 1, \"sha256\": null}";
        assertInvalid("{\"format\": 1, \"models\": [{\"id\": \"a/b\", \"name\": \"n\", \"url\": \"https://x/\", "
                + "\"files\": [{\"path\": \"x\", \"sha256\": \"abc\"}]}]}", "model 'a/b': file 'x': sha256 must be 64 hex");
        assertInvalid("{\"format\": 1, \"models\": [{\"id\": \"a/b\", \"name\": \"n\", \"files\": [" + file + "]}]}",
                "needs a download \"url\" or a \"bundled\" folder");
        assertInvalid("{\"format\": 1, \"models\": [{\"id\": \"a/b\", \"name\": \"n\", \"url\": \"https://x/\", "
                + "\"files\": [{\"path\": \"../evil\"}]}]}", "path must be a relative path");
        assertInvalid("{\"format\": 1, \"models\": [{\"id\": \"a/b\", \"name\": \"n\", \"url\": \"https://x/\", "
                + "\"sizes\": 3, \"files\": [" + file + "]}]}", "unknown key \"sizes\"");
        assertInvalid("{\"format\": 1, \"models\": [{\"id\": \"a/b\", \"name\": \"n\", \"url\": \"ftp://x/\", "
                + "\"files\": [" + file + "]}]}", "must be an http(s) URL");
        assertInvalid("{\"format\": 2, \"models\": []}", "\"format\" must be 1");
        assertInvalid("{\"format\": 1, \"models\": [", "not valid JSON");
    }

    private void assertInvalid(String json, String problem) throws IOException {
        Path file = Files.writeString(tmp.resolve("bad.json"), json);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> ModelManifest.load(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(problem), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
