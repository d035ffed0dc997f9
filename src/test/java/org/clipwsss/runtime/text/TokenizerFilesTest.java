package org.clipwsss.runtime.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The other ways to get a CLIP tokenizer: vocab.json + merges.txt, a Hub-style tokenizer.json, an exported one. */
class TokenizerFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void vocabJsonAndMergesTxtReproduceGolden() throws IOException {
        ClipBpeVocabulary bundled = ClipBpeVocabulary.bundled();
        assertEquals(49408, bundled.vocab().size());
        assertEquals(48894, bundled.merges().size());
        JSON.writeValue(dir.resolve("vocab.json").toFile(), bundled.vocab());
        List<String> merges = new ArrayList<>(List.of("#version: 0.2"));
        merges.addAll(bundled.merges());
        Files.write(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
        try (ClipTokenizer tokenizer = ClipTokenizer.forModel(dir)) {
            Golden.assertAllReproduced(tokenizer);
        }
    }

    /** Laid out as openai/clip-vit-base-patch32's tokenizer.json, with truncation and padding set as well. */
    @Test
    void hubStyleTokenizerJsonReproducesGolden() throws IOException {
        ObjectNode root = bundledTree();
        root.withArray("/added_tokens").forEach(token -> ((ObjectNode) token).put("normalized", true));
        root.set("normalizer", JSON.readTree("""
                {"type": "Sequence", "normalizers": [{"type": "NFC"},
                  {"type": "Replace", "pattern": {"Regex": "\\\\s+"}, "content": " "}, {"type": "Lowercase"}]}"""));
        root.set("post_processor", JSON.readTree("""
                {"type": "RobertaProcessing", "sep": ["<|endoftext|>", 49407], "cls": ["<|startoftext|>", 49406],
                 "trim_offsets": false, "add_prefix_space": false}"""));
        root.set("truncation", JSON.readTree("""
                {"direction": "Right", "max_length": 77, "strategy": "LongestFirst", "stride": 0}"""));
        root.set("padding", JSON.readTree("""
                {"strategy": {"Fixed": 77}, "direction": "Right", "pad_to_multiple_of": null, "pad_id": 49407,
                 "pad_type_id": 0, "pad_token": "<|endoftext|>"}"""));
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), root);
        try (ClipTokenizer tokenizer = ClipTokenizer.fromTokenizerJson(file)) {
            Golden.assertAllReproduced(tokenizer);
        }
    }

    @Test
    void specialTokensMissingFromAddedTokensAreAdded() throws IOException {
        ObjectNode root = bundledTree();
        root.remove("added_tokens");
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), root);
        try (ClipTokenizer tokenizer = ClipTokenizer.fromTokenizerJson(file)) {
            assertArrayEquals(new int[] {320, 49407, 49406}, tokenizer.bpeIds("a <|ENDOFTEXT|> <|startoftext|>"));
            assertEquals(2, JSON.readTree(tokenizer.tokenizerJson()).get("added_tokens").size());
        }
    }

    @Test
    void exportedTokenizerJsonReadsBack() throws IOException {
        Path model = Files.createDirectory(dir.resolve("model"));
        try (ClipTokenizer bundled = ClipTokenizer.bundled()) {
            bundled.writeTokenizerJson(model.resolve("tokenizer.json"));
        }
        assertEquals(ClipTokenizer.bundledTokenizerJson(), Files.readString(model.resolve("tokenizer.json")));
        try (ClipTokenizer tokenizer = ClipTokenizer.forModel(model)) {
            Golden.assertAllReproduced(tokenizer);
        }
    }

    @Test
    void modelWithoutTokenizerFilesUsesTheBundledVocabulary() {
        try (ClipTokenizer tokenizer = ClipTokenizer.forModel(dir)) {
            assertEquals(ClipTokenizer.bundledTokenizerJson(), tokenizer.tokenizerJson());
            assertArrayEquals(new int[] {320, 1125, 539, 320, 2368}, tokenizer.bpeIds("a photo of a cat"));
        }
    }

    private static ObjectNode bundledTree() throws IOException {
        return (ObjectNode) JSON.readTree(ClipTokenizer.bundledTokenizerJson());
    }
}
