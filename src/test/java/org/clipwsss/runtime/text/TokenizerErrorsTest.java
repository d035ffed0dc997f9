package org.clipwsss.runtime.text;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Broken tokenizer files: one ClipWsssException line that names the file and the problem. */
class TokenizerErrorsTest {
    @TempDir
    Path dir;

    @Test
    void missingTokenizerJson() {
        Path file = dir.resolve("tokenizer.json");
        assertFails(file, "not found", () -> ClipTokenizer.fromTokenizerJson(file));
    }

    @Test
    void tokenizerJsonThatIsNotJson() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "<html>rate limited</html>");
        assertFails(file, "not valid JSON", () -> ClipTokenizer.forModel(dir));
    }

    @Test
    void truncatedTokenizerJson() throws IOException {
        String json = ClipTokenizer.bundledTokenizerJson();
        Path file = Files.writeString(dir.resolve("tokenizer.json"), json.substring(0, json.length() / 2));
        assertFails(file, "not valid JSON", () -> ClipTokenizer.fromTokenizerJson(file));
    }

    @Test
    void jsonThatIsNoTokenizer() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {}}");
        assertFails(file, "model.vocab", () -> ClipTokenizer.fromTokenizerJson(file));
    }

    @Test
    void tokenizerJsonThatHuggingFaceRejects() throws IOException {
        String json = ClipTokenizer.bundledTokenizerJson().replace("\"type\": \"BPE\"", "\"type\": \"NoSuchModel\"");
        Path file = Files.writeString(dir.resolve("tokenizer.json"), json);
        assertFails(file, "not a usable Hugging Face tokenizer", () -> ClipTokenizer.fromTokenizerJson(file));
    }

    @Test
    void vocabJsonWithoutMergesTxt() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"<|startoftext|>\": 0, \"<|endoftext|>\": 1}");
        assertFails(dir.resolve("merges.txt"), "not found", () -> ClipTokenizer.forModel(dir));
    }

    @Test
    void vocabJsonWithoutSpecialTokens() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        assertFails(dir.resolve("vocab.json"), "<|startoftext|>", () -> ClipTokenizer.forModel(dir));
    }

    @Test
    void mergesTxtWithABadLine() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"<|startoftext|>\": 0, \"<|endoftext|>\": 1}");
        Files.write(dir.resolve("merges.txt"), "#version: 0.2\na b\nabc\n".getBytes(StandardCharsets.UTF_8));
        assertFails(dir.resolve("merges.txt"), "line 3", () -> ClipTokenizer.forModel(dir));
    }

    @Test
    void missingModelFolder() {
        Path missing = dir.resolve("no-such-model");
        assertFails(missing, "not found", () -> ClipTokenizer.forModel(missing));
    }

    private static void assertFails(Path file, String problem, Executable open) {
        ClipWsssException e = assertThrows(ClipWsssException.class, open);
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.contains(problem), message);
        assertFalse(message.contains("\n"), message);
    }
}
