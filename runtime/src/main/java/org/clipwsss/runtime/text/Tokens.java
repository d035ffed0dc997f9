package org.clipwsss.runtime.text;

import java.util.Arrays;
import java.util.Objects;

/**
 * One text as CLIP text-model input: {@code [SOT] + bpe[:75] + [EOT]}, zero-padded to {@link
 * ClipTokenizer#CONTEXT_LENGTH}. {@code length} counts the tokens before the padding; id 0 is also a real token
 * ("!"), so the length is not the number of non-zero ids.
 */
public record Tokens(String text, long[] inputIds, int length) {
    public Tokens {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(inputIds, "inputIds");
        if (length < 2 || length > inputIds.length) {
            throw new IllegalArgumentException("length " + length + " outside 2.." + inputIds.length);
        }
    }

    /** 1 for the tokens, 0 for the padding. */
    public long[] attentionMask() {
        long[] mask = new long[inputIds.length];
        Arrays.fill(mask, 0, length, 1L);
        return mask;
    }

    /** Index of the end-of-text token, whose hidden state CLIP pools. */
    public int eotPosition() {
        return length - 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tokens t && text.equals(t.text) && Arrays.equals(inputIds, t.inputIds) && length == t.length;
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, Arrays.hashCode(inputIds), length);
    }

    @Override
    public String toString() {
        return "Tokens[text=" + text + ", inputIds=" + Arrays.toString(Arrays.copyOf(inputIds, length))
                + ", length=" + length + "]";
    }
}
