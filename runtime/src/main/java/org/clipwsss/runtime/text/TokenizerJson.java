package org.clipwsss.runtime.text;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;

/** The Hugging Face tokenizer.json layout for CLIP: building one for a BPE vocabulary, reading a user's one. */
final class TokenizerJson {
    static final String SOT_TOKEN = "<|startoftext|>";
    static final String EOT_TOKEN = "<|endoftext|>";
    static final String END_OF_WORD = "</w>";
    /** OpenAI's pattern (clip/simple_tokenizer.py); it is applied to text that is already lower-cased. */
    static final String PATTERN = "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]"
            + "|[^\\s\\p{L}\\p{N}]+";

    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Indented like the files on the Hugging Face Hub: one entry a line, "key": value. */
    private static final ObjectWriter WRITER = MAPPER.writer(new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")).withObjectIndenter(new DefaultIndenter("  ", "\n")));

    private TokenizerJson() {}

    /**
     * A tokenizer.json that turns cleaned (see {@link TextCleaner}) text into CLIP BPE ids: no normalizer, OpenAI's
     * split pattern then byte-level symbols, BPE with "</w>" word ends, the special tokens as added tokens, and no
     * post-processor (callers add the start and end tokens).
     */
    static byte[] forBpe(Map<String, Integer> vocab, List<String> merges) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String token : List.of(SOT_TOKEN, EOT_TOKEN)) {
            Integer id = vocab.get(token);
            if (id == null) {
                throw new IllegalArgumentException("the vocabulary has no " + token);
            }
            added.add(addedToken(token, id));
        }
        root.putNull("normalizer");
        ObjectNode preTokenizer = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = preTokenizer.putArray("pretokenizers");
        ObjectNode split = steps.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", PATTERN);
        split.put("behavior", "Removed").put("invert", true);
        byteLevel(steps.addObject());
        root.putNull("post_processor");
        byteLevel(root.putObject("decoder"));
        ObjectNode model = root.putObject("model").put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", EOT_TOKEN).put("continuing_subword_prefix", "").put("end_of_word_suffix", END_OF_WORD)
                .put("fuse_unk", false).put("byte_fallback", false);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.forEach(vocabNode::put);
        ArrayNode mergesNode = model.putArray("merges");
        merges.forEach(mergesNode::add);
        try {
            return WRITER.writeValueAsBytes(root);
        } catch (JacksonException e) {
            throw new UncheckedIOException(e); // in-memory tree of strings and ints: cannot happen
        }
    }

    /**
     * A user's tokenizer.json, with {@code <|startoftext|>} and {@code <|endoftext|>} added as special tokens where
     * the file has them in its vocabulary only, so that their literal text encodes to their ids.
     */
    static byte[] read(Path file) {
        byte[] bytes = readBytes(file);
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw ClipWsssException.file(file, "not valid JSON: " + problem(e), e);
        }
        JsonNode vocab = root.path("model").path("vocab");
        if (!vocab.isObject()) {
            throw ClipWsssException.file(file, "not a Hugging Face tokenizer.json (it has no model.vocab object)");
        }
        JsonNode added = root.path("added_tokens");
        ArrayNode newAdded = added.isArray() ? ((ArrayNode) added).deepCopy() : MAPPER.createArrayNode();
        for (String token : List.of(SOT_TOKEN, EOT_TOKEN)) {
            if (!vocab.path(token).canConvertToInt()) {
                throw ClipWsssException.file(file, "model.vocab has no " + token + " token");
            }
            if (newAdded.findValues("content").stream().noneMatch(c -> token.equals(c.asText()))) {
                newAdded.add(addedToken(token, vocab.get(token).asInt()));
            }
        }
        if (newAdded.equals(added)) {
            return bytes;
        }
        ((ObjectNode) root).set("added_tokens", newAdded);
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JacksonException e) {
            throw new UncheckedIOException(e); // a tree just parsed: cannot happen
        }
    }

    static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw ClipWsssException.file(file, "file not found", e);
        } catch (AccessDeniedException e) {
            throw ClipWsssException.file(file, "permission denied", e);
        } catch (IOException e) {
            throw ClipWsssException.file(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Jackson's message without its multi-line source excerpt. */
    static String problem(IOException e) {
        if (e instanceof JacksonException) {
            JacksonException je = (JacksonException) e;
            return je.getOriginalMessage().lines().findFirst().orElse("")
                    + (je.getLocation() == null ? "" : " (line " + je.getLocation().getLineNr() + ")");
        }
        return e.toString();
    }

    private static ObjectNode addedToken(String content, int id) {
        return MAPPER.createObjectNode().put("id", id).put("content", content).put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }

    private static void byteLevel(ObjectNode node) {
        node.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
    }
}
