package org.clipwsss.runtime.text;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.clipwsss.runtime.ClipWsssException;

/** A CLIP byte-level BPE vocabulary: token ids (in id order) and merges (by rank, as "left right"). */
final class ClipBpeVocabulary {
    private static final String BUNDLED_MERGES = "bpe_simple_vocab_16e6.txt.gz";
    /** OpenAI reads merges[1:49152-256-2+1]: the first 48894 merges after the "#version" line. */
    private static final int BUNDLED_MERGE_COUNT = 49152 - 256 - 2;

    private static final TypeReference<LinkedHashMap<String, Integer>> TOKEN_IDS = new TypeReference<>() {};

    private final Map<String, Integer> vocab;
    private final List<String> merges;

    private ClipBpeVocabulary(Map<String, Integer> vocab, List<String> merges) {
        this.vocab = Collections.unmodifiableMap(vocab);
        this.merges = Collections.unmodifiableList(merges);
    }

    Map<String, Integer> vocab() {
        return vocab;
    }

    List<String> merges() {
        return merges;
    }

    byte[] toTokenizerJson() {
        return TokenizerJson.forBpe(vocab, merges);
    }

    /** The tokenizer.json of the bundled OpenAI vocabulary, built once and shared: never modify it. */
    static byte[] bundledTokenizerJson() {
        return BundledJson.JSON;
    }

    private static final class BundledJson {
        static final byte[] JSON = bundled().toTokenizerJson();
    }

    /**
     * OpenAI's vocabulary from the bundled merges file: the 256 byte symbols, the same with "</w>", one token per
     * merge, then {@code <|startoftext|>} and {@code <|endoftext|>} (49408 ids).
     */
    static ClipBpeVocabulary bundled() {
        try (InputStream in = ClipBpeVocabulary.class.getResourceAsStream(BUNDLED_MERGES)) {
            if (in == null) {
                throw new ClipWsssException("bundled resource " + BUNDLED_MERGES + " is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8));
            reader.readLine(); // "#version: 0.2"
            List<String> merges = new ArrayList<>(BUNDLED_MERGE_COUNT);
            for (String line; merges.size() < BUNDLED_MERGE_COUNT && (line = reader.readLine()) != null; ) {
                merges.add(line);
            }
            if (merges.size() < BUNDLED_MERGE_COUNT) {
                throw new ClipWsssException("bundled resource " + BUNDLED_MERGES + " has only " + merges.size()
                        + " merges, expected " + BUNDLED_MERGE_COUNT);
            }
            Map<String, Integer> vocab = new LinkedHashMap<>();
            List<String> symbols = byteSymbols();
            symbols.forEach(s -> vocab.put(s, vocab.size()));
            symbols.forEach(s -> vocab.put(s + TokenizerJson.END_OF_WORD, vocab.size()));
            merges.forEach(m -> vocab.put(m.replace(" ", ""), vocab.size()));
            vocab.put(TokenizerJson.SOT_TOKEN, vocab.size());
            vocab.put(TokenizerJson.EOT_TOKEN, vocab.size());
            return new ClipBpeVocabulary(vocab, merges);
        } catch (IOException e) {
            throw new ClipWsssException("cannot read bundled resource " + BUNDLED_MERGES + ": " + e.getMessage(), e);
        }
    }

    /** GPT-2's bytes_to_unicode values in its order: printable Latin-1 bytes as themselves, then U+0100 onwards. */
    private static List<String> byteSymbols() {
        List<String> symbols = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) {
            if ((b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff)) {
                symbols.add(Character.toString(b));
            }
        }
        for (int c = 0x100; symbols.size() < 256; c++) {
            symbols.add(Character.toString(c));
        }
        return symbols;
    }

    /** A Hugging Face vocab.json (token to id) and merges.txt (optional "#version" line, then "left right" lines). */
    static ClipBpeVocabulary fromVocabAndMerges(Path vocabJson, Path mergesTxt) {
        Map<String, Integer> vocab;
        try {
            vocab = TokenizerJson.MAPPER.readValue(TokenizerJson.readBytes(vocabJson), TOKEN_IDS);
        } catch (IOException e) {
            throw ClipWsssException.file(vocabJson, "not a JSON object of token ids: " + TokenizerJson.problem(e), e);
        }
        if (vocab == null || vocab.containsValue(null)) {
            throw ClipWsssException.file(vocabJson, "not a JSON object of token ids");
        }
        for (String token : List.of(TokenizerJson.SOT_TOKEN, TokenizerJson.EOT_TOKEN)) {
            if (!vocab.containsKey(token)) {
                throw ClipWsssException.file(vocabJson, "has no " + token + " token");
            }
        }
        List<String> lines = new String(TokenizerJson.readBytes(mergesTxt), StandardCharsets.UTF_8).lines().toList();
        List<String> merges = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#version") || line.isEmpty()) {
                continue;
            }
            if (line.split(" ", -1).length != 2) {
                throw ClipWsssException.file(mergesTxt, "line " + (i + 1) + " is not a merge \"left right\": " + line);
            }
            merges.add(line);
        }
        return new ClipBpeVocabulary(vocab, merges);
    }
}
