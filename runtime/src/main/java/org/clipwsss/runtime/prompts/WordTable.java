package org.clipwsss.runtime.prompts;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Words per class, filled once while a list is read and only read afterwards. Classes are looked up by
 * {@link ClassNames#key}; words keep their spelling and first-seen order, and exact repeats are dropped.
 */
final class WordTable {
    private final Map<String, Set<String>> byClass = new LinkedHashMap<>();

    void add(String className, String word) {
        byClass.computeIfAbsent(ClassNames.key(className), k -> new LinkedHashSet<>()).add(word);
    }

    void addAll(String className, List<String> words) {
        words.forEach(word -> add(className, word));
    }

    /** The class's words, or an empty list. */
    List<String> get(String className) {
        return List.copyOf(byClass.getOrDefault(ClassNames.key(className), Set.of()));
    }
}
