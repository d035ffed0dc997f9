package org.clipwsss.runtime.prompts;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import org.clipwsss.runtime.ClipWsssException;

/**
 * Candidate names per class for POLE's synonym selection (per image and class, the candidate CLIP scores highest
 * names the class in the prompt). Class names are matched regardless of case, spaces and underscores; candidates
 * keep their spelling and order, without exact repeats. A class without candidates keeps its own name.
 */
public final class SynonymLists {
    /** The POLE list that matches POLE's shipped per-image selections. */
    public static final String DEFAULT_LIST = "gpt_prompts";

    private final WordTable table;
    private final String description;

    private SynonymLists(WordTable table, String description) {
        this.table = table;
        this.description = description;
    }

    /** The names of the 24 bundled POLE lists, in file order. */
    public static List<String> bundledListNames() {
        return Pole.ROOT.get("lists").properties().stream().map(Map.Entry::getKey).toList();
    }

    /**
     * One of the bundled POLE lists (name matched ignoring case). POLE keys its classes by its own names
     * ({@code dining table}, {@code player} for person, ...); each list also answers to the VOC names.
     *
     * @throws ClipWsssException for an unknown name, listing the available ones
     */
    public static SynonymLists bundled(String listName) {
        String name = bundledListNames().stream().filter(n -> n.equalsIgnoreCase(listName.strip())).findFirst()
                .orElseThrow(() -> new ClipWsssException("unknown synonym list '" + listName + "' (bundled lists: "
                        + String.join(", ", bundledListNames()) + ")"));
        JsonNode vocNames = Pole.ROOT.get("voc_name");
        WordTable table = new WordTable();
        for (Map.Entry<String, JsonNode> e : Pole.ROOT.get("lists").get(name).properties()) {
            List<String> words = PromptFiles.resourceWords(e.getValue());
            table.addAll(e.getKey(), words);
            table.addAll(vocNames.get(e.getKey()).asText(), words);
        }
        return new SynonymLists(table, "POLE list " + name);
    }

    /**
     * A user's lists: JSON {@code {"class": ["word", ...]}}, or CSV lines {@code class,word} (optional header
     * {@code class,word}; blank lines and {@code #} comments skipped; quote a word that contains a comma).
     *
     * @throws ClipWsssException naming the file (and the line, for CSV) when it cannot be read
     */
    public static SynonymLists load(Path file) {
        String text = PromptFiles.text(file);
        WordTable table = new WordTable();
        if (PromptFiles.startsWith(text, '{')) {
            JsonNode root = PromptFiles.json(file, text);
            root.properties().forEach(e -> table.addAll(e.getKey(),
                    PromptFiles.words(e.getValue(), file, "class '" + e.getKey() + "'")));
        } else {
            for (CsvRows.Row row : CsvRows.read(file, "class,word")) {
                if (row.first().isEmpty() || row.second().isEmpty()) {
                    throw ClipWsssException.file(file, "line " + row.line() + ": empty class or word");
                }
                table.add(row.first(), row.second());
            }
        }
        return new SynonymLists(table, file.toString());
    }

    /** Lists given in code. */
    public static SynonymLists of(Map<String, List<String>> candidates) {
        WordTable table = new WordTable();
        candidates.forEach((cls, words) -> table.addAll(Objects.requireNonNull(cls), List.copyOf(words)));
        return new SynonymLists(table, "given lists");
    }

    /** No synonyms: every class is prompted with its own name. */
    public static SynonymLists none() {
        return new SynonymLists(new WordTable(), "none");
    }

    /** The class's candidates in list order, or just {@code className} when it has none. */
    public List<String> candidates(String className) {
        List<String> words = table.get(className);
        return words.isEmpty() ? List.of(className) : words;
    }

    /** Where the lists came from, for logs: "POLE list gpt_prompts", a file name, "given lists" or "none". */
    public String description() {
        return description;
    }

    /** The bundled POLE file, read on first use. */
    private static final class Pole {
        static final JsonNode ROOT = PromptFiles.resource("pole-synonyms-voc.json");
    }
}
