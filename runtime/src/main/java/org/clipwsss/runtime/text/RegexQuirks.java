package org.clipwsss.runtime.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Where Hugging Face's split (Oniguruma) and OpenAI's ({@code regex.findall} with {@code re.IGNORECASE}) of
 * OpenAI's pattern disagree, the cleaned text is prepared so that Hugging Face gives OpenAI's tokens:
 * <ul>
 *   <li>Hugging Face finds the special tokens' text anywhere, OpenAI's regex only where a match starts: after a
 *       character of the class {@code [^\s\p{L}\p{N}]} (other than the end of a special token) the greedy run of
 *       that class swallows the "<|", and the rest becomes ordinary tokens. The text is cut right after such a "<|"
 *       and the pieces are tokenized one after the other.
 *   <li>U+0345 (combining ypogegrammeni), which case-folds to a letter, matches no alternative under IGNORECASE:
 *       OpenAI skips it like a space, so it becomes one.
 * </ul>
 * Not covered: IGNORECASE also lets {@code 's} match "'ſ" (long s), which OpenAI keeps as one token.
 */
final class RegexQuirks {
    private static final List<String> SPECIAL_TOKENS = List.of(TokenizerJson.SOT_TOKEN, TokenizerJson.EOT_TOKEN);

    private RegexQuirks() {}

    /** Cleaned text to the pieces to tokenize one after the other (usually just the text). */
    static List<String> segments(String cleaned) {
        String text = cleaned.replace('\u0345', ' ');
        List<String> segments = null;
        int segmentStart = 0;
        int specialEnd = -1;
        for (int at = text.indexOf("<|"); at >= 0; at = text.indexOf("<|", at + 1)) {
            int length = specialTokenLength(text, at);
            if (length == 0) {
                continue;
            }
            if (at == 0 || at == specialEnd || !isPunctuationClass(text.codePointBefore(at))) {
                specialEnd = at + length;
            } else {
                if (segments == null) {
                    segments = new ArrayList<>();
                }
                segments.add(text.substring(segmentStart, at + 2));
                segmentStart = at + 2;
            }
        }
        if (segments == null) {
            return List.of(text);
        }
        segments.add(text.substring(segmentStart));
        return segments;
    }

    private static int specialTokenLength(String s, int at) {
        for (String token : SPECIAL_TOKENS) {
            if (s.startsWith(token, at)) {
                return token.length();
            }
        }
        return 0;
    }

    /** {@code [^\s\p{L}\p{N}]}. */
    private static boolean isPunctuationClass(int c) {
        int type = Character.getType(c);
        return !(c <= 0xffff && TextCleaner.isWhiteSpace((char) c)) && !Character.isLetter(c)
                && type != Character.DECIMAL_DIGIT_NUMBER && type != Character.LETTER_NUMBER
                && type != Character.OTHER_NUMBER;
    }
}
