package org.clipwsss.runtime.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClipTokenizerTest {
    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void open() {
        tokenizer = ClipTokenizer.bundled();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void bundledReproducesEveryGoldenLine() {
        assertEquals(455, Golden.rows().size());
        Golden.assertAllReproduced(tokenizer);
    }

    /** Expected ids from OpenAI's clip/simple_tokenizer.py (ftfy as identity), run with CPython. */
    @Test
    void specialTokenTextCountsOnlyWhereOpenAisRegexSeesIt() {
        assertArrayEquals(new int[] {320, 0, 27, 347, 40786, 4160, 91, 285}, tokenizer.bpeIds("a!<|endoftext|>"));
        assertArrayEquals(new int[] {0, 27, 347, 40786, 4160, 91, 29, 27, 347, 40786, 4160, 91, 285},
                tokenizer.bpeIds("!<|endoftext|><|endoftext|>"));
        assertArrayEquals(new int[] {2368, 13, 27, 347, 40786, 4160, 91, 285, 1929, 49406, 343},
                tokenizer.bpeIds("cat.<|endoftext|> dog<|startoftext|>x"));
        assertArrayEquals(new int[] {49407, 49407}, tokenizer.bpeIds("<|EndOfText|><|endoftext|>"));
        assertArrayEquals(new int[] {585, 568, 49407}, tokenizer.bpeIds("it's<|endoftext|>"));
    }

    /** Expected ids from OpenAI's clip/simple_tokenizer.py: U+0345 matches nothing under re.IGNORECASE. */
    @Test
    void ypogegrammeniSeparatesLikeASpace() {
        assertArrayEquals(new int[] {320, 321}, tokenizer.bpeIds("a\u0345b"));
        assertArrayEquals(new int[] {256, 49407}, tokenizer.bpeIds("!\u0345<|endoftext|>"));
        assertArrayEquals(new int[0], tokenizer.bpeIds("\u0345"));
    }

    @Test
    void emptyTextIsStartAndEndOnly() {
        for (String text : List.of("", " \t\n ", "&nbsp;")) {
            Tokens tokens = tokenizer.encode(text);
            long[] expected = new long[ClipTokenizer.CONTEXT_LENGTH];
            expected[0] = ClipTokenizer.SOT;
            expected[1] = ClipTokenizer.EOT;
            assertArrayEquals(expected, tokens.inputIds());
            assertEquals(2, tokens.length());
            assertEquals(1, tokens.eotPosition());
            assertEquals(0, tokenizer.bpeIds(text).length);
        }
    }

    @Test
    void longTextIsTruncatedToStartPlus75PlusEnd() {
        String text = "a photo of a cat. ".repeat(20);
        int[] bpe = tokenizer.bpeIds(text);
        assertEquals(20 * 6, bpe.length, "bpeIds is never truncated");
        Tokens tokens = tokenizer.encode(text);
        assertEquals(ClipTokenizer.CONTEXT_LENGTH, tokens.length());
        assertEquals(ClipTokenizer.CONTEXT_LENGTH - 1, tokens.eotPosition());
        assertEquals(ClipTokenizer.SOT, tokens.inputIds()[0]);
        assertEquals(ClipTokenizer.EOT, tokens.inputIds()[76]);
        for (int i = 0; i < 75; i++) {
            assertEquals(bpe[i], tokens.inputIds()[i + 1]);
        }
        long[] mask = tokens.attentionMask();
        assertEquals(77, Arrays.stream(mask).sum());
    }

    @Test
    void lengthCountsIdZero() {
        Tokens tokens = tokenizer.encode("Great!(really)"); // "!" not at a word end is id 0
        assertEquals(7, tokens.length());
        assertEquals(0, tokens.inputIds()[2]);
        assertEquals(ClipTokenizer.EOT, tokens.inputIds()[tokens.eotPosition()]);
        long[] mask = tokens.attentionMask();
        assertEquals(7, Arrays.stream(mask).sum());
        assertEquals(1, mask[6]);
        assertEquals(0, mask[7]);
    }

    @Test
    void batchOfNothingIsEmpty() {
        assertEquals(List.of(), tokenizer.encode(List.of()));
    }

    @Test
    void djlStaysOffline() {
        if (System.getenv("DJL_OFFLINE") == null) {
            assertEquals("true", System.getProperty("ai.djl.offline"));
        }
        if (System.getenv("RUST_FLAVOR") == null) {
            assertEquals("cpu", System.getProperty("RUST_FLAVOR"));
        }
    }
}
