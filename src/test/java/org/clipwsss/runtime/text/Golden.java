package org.clipwsss.runtime.text;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The reference tokenizations in src/test/resources/conformance/tokenizer/golden.jsonl (see its README). */
final class Golden {
    static final Path FILE = Path.of("src/test/resources/conformance/tokenizer/golden.jsonl");

    record Row(String text, int[] bpe_ids, long[] input_ids, int length) {}

    private static List<Row> rows;

    private Golden() {}

    static synchronized List<Row> rows() {
        if (rows == null) {
            ObjectMapper mapper = new ObjectMapper();
            try {
                List<Row> parsed = new ArrayList<>();
                for (String line : Files.readAllLines(FILE, StandardCharsets.UTF_8)) {
                    parsed.add(mapper.readValue(line, Row.class));
                }
                rows = List.copyOf(parsed);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return rows;
    }

    /** Fails with every text whose tokens differ, when any does. */
    static void assertReproduced(List<Row> expected, List<Tokens> actual, boolean checkBpe, ClipTokenizer tokenizer) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            Row row = expected.get(i);
            Tokens tokens = actual.get(i);
            if (!row.text().equals(tokens.text()) || !Arrays.equals(row.input_ids(), tokens.inputIds())
                    || row.length() != tokens.length()) {
                failures.add(row.text() + " -> " + tokens);
            } else if (checkBpe && !Arrays.equals(row.bpe_ids(), tokenizer.bpeIds(row.text()))) {
                failures.add(row.text() + " -> bpe " + Arrays.toString(tokenizer.bpeIds(row.text())));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + expected.size() + " texts differ from "
                + FILE + ":\n" + String.join("\n", failures));
    }

    /** Every golden line, one text at a time (bpe ids included) and as one batch. */
    static void assertAllReproduced(ClipTokenizer tokenizer) {
        List<Row> expected = rows();
        List<Tokens> single = new ArrayList<>();
        for (Row row : expected) {
            single.add(tokenizer.encode(row.text()));
        }
        assertReproduced(expected, single, true, tokenizer);
        assertReproduced(expected, tokenizer.encode(expected.stream().map(Row::text).toList()), false, tokenizer);
    }
}
