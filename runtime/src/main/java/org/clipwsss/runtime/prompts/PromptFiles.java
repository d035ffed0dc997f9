package org.clipwsss.runtime.prompts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.clipwsss.runtime.ClipWsssException;

/** Reading the word-list files: user files (errors name the file) and the bundled JSON resources. */
final class PromptFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptFiles() {
    }

    /** The file's text (UTF-8, without a byte-order mark). */
    static String text(Path file) {
        try {
            String text = Files.readString(file);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (NoSuchFileException e) {
            throw ClipWsssException.file(file, "no such file", e);
        } catch (CharacterCodingException e) {
            throw ClipWsssException.file(file, "not UTF-8 text", e);
        } catch (IOException e) {
            throw ClipWsssException.file(file, "could not read: " + e.getMessage(), e);
        }
    }

    static List<String> lines(Path file) {
        return text(file).lines().toList();
    }

    /** Whether the text is JSON of the given opening bracket (the first character that is not blank). */
    static boolean startsWith(String text, char bracket) {
        String s = text.strip();
        return !s.isEmpty() && s.charAt(0) == bracket;
    }

    static JsonNode json(Path file, String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ClipWsssException.file(file, "not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        }
    }

    /** A JSON list of non-empty strings, kept as written; {@code what} names it in errors. */
    static List<String> words(JsonNode node, Path file, String what) {
        if (!node.isArray()) {
            throw ClipWsssException.file(file, what + ": expected a list of words, found " + node.getNodeType());
        }
        List<String> words = new ArrayList<>();
        for (JsonNode w : node) {
            if (!w.isTextual() || w.asText().isBlank()) {
                throw ClipWsssException.file(file, what + ": expected non-empty words, found " + w);
            }
            words.add(w.asText());
        }
        return words;
    }

    /** A bundled JSON file next to this class; these ship with the jar, so failing to read one is a bug. */
    static JsonNode resource(String name) {
        try (InputStream in = PromptFiles.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("bundled word list " + name + " is missing from the jar");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("bundled word list " + name + " could not be read", e);
        }
    }

    /** The words of a bundled list, which are known to be strings. */
    static List<String> resourceWords(JsonNode node) {
        List<String> words = new ArrayList<>();
        node.forEach(w -> words.add(w.asText()));
        return words;
    }
}
