package org.clipwsss.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every expected value below came from CPython 3.11: {@code html.unescape}, and OpenAI's cleaning for clean(). */
class TextCleanerTest {
    private static final String[][] UNESCAPED = {
        {"&amp;", "&"},
        {"&amp", "&"},
        {"&ampx", "&x"},
        {"&ampamp;", "&amp;"},
        {"&amp;amp;", "&amp;"},
        {"&amp;amp;lt;", "&amp;lt;"},
        {"&lt;b&gt;", "<b>"},
        {"&notin;", "\u2209"},
        {"&notit;", "\u00acit;"},
        {"&notin", "\u00acin"},
        {"&noti", "\u00aci"},
        {"&AElig", "\u00c6"},
        {"&aelig;", "\u00e6"},
        {"&Aelig;", "&Aelig;"},
        {"&gt", ">"},
        {"&gtx;", ">x;"},
        {"&lt3", "<3"},
        {"&copy2024", "\u00a92024"},
        {"&eacute", "\u00e9"},
        {"&hellip;", "\u2026"},
        {"&fjlig;", "fj"},
        {"&NotEqualTilde;", "\u2242\u0338"},
        {"&ThickSpace;", "\u205f\u200a"},
        {"&unknown;", "&unknown;"},
        {"&unknownname", "&unknownname"},
        {"&a", "&a"},
        {"&;", "&;"},
        {"& amp;", "& amp;"},
        {"AT&T", "AT&T"},
        {"&&amp;;", "&&;"},
        {"&#38;amp;", "&amp;"},
        {"&amp\u00e9", "&\u00e9"},
        {"&\ud83d\ude00;", "&\ud83d\ude00;"},
        {"&abcdefghijklmnopqrstuvwxyzabcdefghijkl;", "&abcdefghijklmnopqrstuvwxyzabcdefghijkl;"},
        {"&#65", "A"},
        {"&#0065;", "A"},
        {"&#x41", "A"},
        {"&#X41;x", "Ax"},
        {"&#x1F600;", "\ud83d\ude00"},
        {"&#128;", "\u20ac"},
        {"&#x80;", "\u20ac"},
        {"&#150;", "\u2013"},
        {"&#x9F;", "\u0178"},
        {"&#x81;", "\u0081"},
        {"&#x9d;", "\u009d"},
        {"&#0;", "\ufffd"},
        {"&#13;", "\r"},
        {"&#x0d;", "\r"},
        {"&#xD800;", "\ufffd"},
        {"&#x110000;", "\ufffd"},
        {"&#99999999999999999999;", "\ufffd"},
        {"&#1;", ""},
        {"&#x7f;", ""},
        {"&#xFDD0;", ""},
        {"&#xFFFE;", ""},
        {"&#x1FFFF;", ""},
        {"&#x;", "&#x;"},
        {"&#;", "&#;"},
        {"&#a;", "&#a;"},
    };

    private static final String[][] CLEANED = {
        {"  A\u00a0photo\tof\n\na\u2003CAT  ", "a photo of a cat"},
        {"\u001c a \u001c b \u001c", "a \u001c b"},
        {"a\u200bb\u180ec", "a\u200bb\u180ec"},
        {"&nbsp;x&nbsp;", "x"},
        {"&amp;nbsp;", ""},
        {"&amp;amp;lt;", "&lt;"},
        {"caf&eacute;", "caf\u00e9"},
        {"&#13;cat&#13;", "cat"},
        {"\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c2"},
        {"\u039f\u0394\u039f\u03a34", "\u03bf\u03b4\u03bf\u03c24"},
        {"\u039f\u0394\u039f\u03a3.", "\u03bf\u03b4\u03bf\u03c2."},
        {"\u0391\u03a3'\u0392", "\u03b1\u03c3'\u03b2"},
        {"\u03a3", "\u03c3"},
        {"\u0391.\u03a3", "\u03b1.\u03c2"},
        {"\u0391\u03a3\u0301", "\u03b1\u03c2\u0301"},
        {"\u0391\u03a3\u0301\u0392", "\u03b1\u03c3\u0301\u03b2"},
        {"\u03a3\u0391\u03a3 \u03a3\u0391\u03a3", "\u03c3\u03b1\u03c2 \u03c3\u03b1\u03c2"},
        {"\u0130stanbul", "i\u0307stanbul"},
        {"\u01c5emal", "\u01c6emal"},
        {"STRASSE \u1e9e", "strasse \u00df"},
        {"<|ENDOFTEXT|>", "<|endoftext|>"},
    };

    @ParameterizedTest(name = "html.unescape({0}) = {1}")
    @MethodSource("unescaped")
    void unescapesLikePython(String escaped, String expected) {
        assertEquals(expected, HtmlUnescape.unescape(escaped));
    }

    @ParameterizedTest(name = "clean({0}) = {1}")
    @MethodSource("cleaned")
    void cleansLikeOpenAi(String text, String expected) {
        assertEquals(expected, TextCleaner.clean(text));
    }

    static Stream<Arguments> unescaped() {
        return Arrays.stream(UNESCAPED).map(pair -> Arguments.of((Object[]) pair));
    }

    static Stream<Arguments> cleaned() {
        return Arrays.stream(CLEANED).map(pair -> Arguments.of((Object[]) pair));
    }
}
