package org.clipwsss.runtime.prompts;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.clipwsss.runtime.ClipWsssException;

/**
 * Background prompt words per class, for suppressing what co-occurs with a class (CLIP-ES, CLIMS, SemPLeS). A set
 * holds words for every class and words for single classes; {@link #words} gives a class both, without repeats.
 * Class names are matched regardless of case, spaces and underscores.
 */
public final class BackgroundWords {
    /** The names {@link #named} accepts besides a file. */
    public static final List<String> NAMES = List.of("clip-es", "clims", "clims-camera-ready", "none");

    private final List<String> everyClass;
    private final WordTable perClass;
    private final String description;

    private BackgroundWords(List<String> everyClass, WordTable perClass, String description) {
        this.everyClass = List.copyOf(new LinkedHashSet<>(everyClass));
        this.perClass = perClass;
        this.description = description;
    }

    /** CLIP-ES's 25 background words, the same for every class (use with {@link Templates#CLIP_ES}). */
    public static BackgroundWords clipEs() {
        return new BackgroundWords(PromptFiles.resourceWords(Bundled.ROOT.get("clip_es")), new WordTable(),
                "clip-es (CLIP-ES's 25 background words)");
    }

    /** CLIMS's 10 class-agnostic background words ({@code clims_global_words}). */
    public static BackgroundWords climsGlobal() {
        return new BackgroundWords(PromptFiles.resourceWords(Bundled.ROOT.get("clims_global_words")), new WordTable(),
                "clims (CLIMS's 10 background words)");
    }

    /** CLIMS's camera-ready background words: some for boat and for train, none for other classes. */
    public static BackgroundWords climsCameraReady() {
        WordTable table = new WordTable();
        Bundled.ROOT.get("clims_camera_ready_words").properties()
                .forEach(e -> table.addAll(e.getKey(), PromptFiles.resourceWords(e.getValue())));
        return new BackgroundWords(List.of(), table, "clims-camera-ready (CLIMS's background words for boat and train)");
    }

    /** No background words. */
    public static BackgroundWords none() {
        return new BackgroundWords(List.of(), new WordTable(), "none");
    }

    /**
     * A user's words: plain text (one word per line for every class; blank lines and {@code #} comments skipped), a
     * JSON list (for every class) or a JSON object {@code {"class": ["word", ...]}} where the keys {@code "*"} and
     * {@code "all"} mean every class.
     *
     * @throws ClipWsssException naming the file when it cannot be read
     */
    public static BackgroundWords load(Path file) {
        String text = PromptFiles.text(file);
        if (PromptFiles.startsWith(text, '[')) {
            return new BackgroundWords(PromptFiles.words(PromptFiles.json(file, text), file, "the list"), new WordTable(),
                    file.toString());
        }
        if (PromptFiles.startsWith(text, '{')) {
            Set<String> everyClass = new LinkedHashSet<>();
            WordTable table = new WordTable();
            for (Map.Entry<String, JsonNode> e : PromptFiles.json(file, text).properties()) {
                List<String> words = PromptFiles.words(e.getValue(), file, "class '" + e.getKey() + "'");
                if (e.getKey().equals("*") || e.getKey().equalsIgnoreCase("all")) {
                    everyClass.addAll(words);
                } else {
                    table.addAll(e.getKey(), words);
                }
            }
            return new BackgroundWords(List.copyOf(everyClass), table, file.toString());
        }
        List<String> words = text.lines().map(String::strip).filter(w -> !w.isEmpty() && !w.startsWith("#")).toList();
        return new BackgroundWords(words, new WordTable(), file.toString());
    }

    /**
     * {@code clip-es}, {@code clims}, {@code clims-camera-ready}, {@code none} (ignoring case), or the path of an
     * existing file for {@link #load}.
     *
     * @throws ClipWsssException for anything else, listing the choices
     */
    public static BackgroundWords named(String spec) {
        switch (spec.strip().toLowerCase(Locale.ROOT)) {
            case "clip-es":
                return clipEs();
            case "clims":
                return climsGlobal();
            case "clims-camera-ready":
                return climsCameraReady();
            case "none":
                return none();
            default:
                return load(existingFile(spec));
        }
    }

    private static Path existingFile(String spec) {
        String problem = "unknown background words '" + spec + "' (choose " + String.join(", ", NAMES)
                + ", or the path of an existing file)";
        try {
            Path file = Path.of(spec);
            if (Files.isRegularFile(file)) {
                return file;
            }
        } catch (InvalidPathException e) {
            throw new ClipWsssException(problem, e);
        }
        throw new ClipWsssException(problem);
    }

    /** The class's background words: those for every class, then its own. */
    public List<String> words(String className) {
        Set<String> words = new LinkedHashSet<>(everyClass);
        words.addAll(perClass.get(className));
        return List.copyOf(words);
    }

    /** Which set this is, for logs. */
    public String description() {
        return description;
    }

    /** The bundled background-words file, read on first use. */
    private static final class Bundled {
        static final JsonNode ROOT = PromptFiles.resource("background-words.json");
    }
}
