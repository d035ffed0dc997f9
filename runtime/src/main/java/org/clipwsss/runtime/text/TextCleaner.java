package org.clipwsss.runtime.text;

import java.util.Locale;

/**
 * OpenAI CLIP's text cleaning ({@code whitespace_clean(basic_clean(text)).lower()} in clip/simple_tokenizer.py),
 * with {@code ftfy.fix_text} taken as the identity: {@code html.unescape} twice, strip, every run of Unicode
 * whitespace to one space, strip, Python {@code str.lower()}.
 */
public final class TextCleaner {
    private TextCleaner() {}

    public static String clean(String text) {
        String unescaped = strip(HtmlUnescape.unescape(HtmlUnescape.unescape(text)));
        return lower(strip(collapseWhitespace(unescaped)));
    }

    /** {@code \s} of the Python {@code regex} module: the Unicode White_Space property (all in the BMP). */
    static boolean isWhiteSpace(char c) {
        return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
                || c == 0x3000;
    }

    /** Python's {@code str.isspace()}, which {@code str.strip()} uses: White_Space plus U+001C..U+001F. */
    static boolean isPythonSpace(char c) {
        return isWhiteSpace(c) || (c >= 0x1c && c <= 0x1f);
    }

    /** Python {@code str.strip()}. */
    static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** {@code regex.sub(r'\s+', ' ', s)}. */
    static String collapseWhitespace(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isWhiteSpace(c)) {
                out.append(c);
            } else if (i == 0 || !isWhiteSpace(s.charAt(i - 1))) {
                out.append(' ');
            }
        }
        return out.toString();
    }

    /**
     * Python {@code str.lower()}: Java's full lower-case mapping, except for capital sigma, where Java applies the
     * final-sigma rule within word boundaries and CPython as {@code \p{Cased}\p{Case_Ignorable}* Σ
     * !(\p{Case_Ignorable}* \p{Cased})}. Character properties are the running JVM's (Java 17: Unicode 13).
     */
    static String lower(String s) {
        int sigma = s.indexOf('\u03a3');
        if (sigma < 0) {
            return s.toLowerCase(Locale.ROOT);
        }
        StringBuilder out = new StringBuilder(s.length());
        int start = 0;
        for (; sigma >= 0; sigma = s.indexOf('\u03a3', start)) {
            out.append(s.substring(start, sigma).toLowerCase(Locale.ROOT));
            out.append(isFinalSigma(s, sigma) ? '\u03c2' : '\u03c3');
            start = sigma + 1;
        }
        return out.append(s.substring(start).toLowerCase(Locale.ROOT)).toString();
    }

    /** CPython's handle_capital_sigma (Objects/unicodeobject.c). */
    private static boolean isFinalSigma(String s, int index) {
        int before = -1;
        for (int i = index; i > 0 && before < 0; ) {
            int c = s.codePointBefore(i);
            i -= Character.charCount(c);
            if (!isCaseIgnorable(c)) {
                before = c;
            }
        }
        if (before < 0 || !isCased(before)) {
            return false;
        }
        for (int i = index + 1; i < s.length(); ) {
            int after = s.codePointAt(i);
            if (!isCaseIgnorable(after)) {
                return !isCased(after);
            }
            i += Character.charCount(after);
        }
        return true;
    }

    /** Unicode's Cased property. */
    private static boolean isCased(int c) {
        return Character.isLowerCase(c) || Character.isUpperCase(c) || Character.isTitleCase(c);
    }

    /** Unicode's Case_Ignorable property: Mn, Me, Cf, Lm, Sk and Word_Break MidLetter, MidNumLet, Single_Quote. */
    private static boolean isCaseIgnorable(int c) {
        switch (Character.getType(c)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.MODIFIER_LETTER,
                    Character.MODIFIER_SYMBOL:
                return true;
            default:
                return c == '\'' || c == '.' || c == ':' || c == 0xb7 || c == 0x387 || c == 0x55f || c == 0x5f4
                        || c == 0x2018 || c == 0x2019 || c == 0x2024 || c == 0x2027 || c == 0xfe13 || c == 0xfe52
                        || c == 0xfe55 || c == 0xff07 || c == 0xff0e || c == 0xff1a;
        }
    }
}
