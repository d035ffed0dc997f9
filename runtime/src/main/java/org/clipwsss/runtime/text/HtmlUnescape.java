package org.clipwsss.runtime.text;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Entities;

/**
 * A port of CPython's {@code html.unescape} (Lib/html/__init__.py), which OpenAI CLIP applies twice before
 * tokenizing. Only the WHATWG named character reference table comes from jsoup: {@code isNamedEntity} holds the
 * names valid with a ';', {@code isBaseNamedEntity} the 106 legacy names also valid without one.
 */
final class HtmlUnescape {
    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** CPython's _invalid_charrefs for 0x80..0x9f: windows-1252, its five undefined bytes map to themselves. */
    private static final String C1_AS_CP1252 = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
            + "\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161"
            + "\u203a\u0153\u009d\u017e\u0178";

    private HtmlUnescape() {}

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        return CHARREF.matcher(s).replaceAll(m -> Matcher.quoteReplacement(replace(m.group(1))));
    }

    private static String replace(String ref) {
        return ref.charAt(0) == '#' ? numeric(ref) : named(ref);
    }

    private static String numeric(String ref) {
        boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
        int radix = hex ? 16 : 10;
        int end = ref.endsWith(";") ? ref.length() - 1 : ref.length();
        int cp = 0;
        for (int i = hex ? 2 : 1; i < end; i++) {
            // Python parses an unbounded int; saturating above the Unicode range gives the same result
            cp = Math.min(cp * radix + Character.digit(ref.charAt(i), radix), 0x110000);
        }
        if (cp == 0x00) {
            return "\ufffd";
        } else if (cp == 0x0d) {
            return "\r";
        } else if (cp >= 0x80 && cp <= 0x9f) {
            return String.valueOf(C1_AS_CP1252.charAt(cp - 0x80));
        } else if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
            return "\ufffd";
        } else if (isInvalidCodepoint(cp)) {
            return "";
        }
        return new String(Character.toChars(cp));
    }

    /** CPython's _invalid_codepoints. */
    private static boolean isInvalidCodepoint(int cp) {
        return (cp >= 0x01 && cp <= 0x08) || cp == 0x0b || (cp >= 0x0e && cp <= 0x1f) || (cp >= 0x7f && cp <= 0x9f)
                || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
    }

    private static String named(String ref) {
        if (ref.endsWith(";")) {
            String name = ref.substring(0, ref.length() - 1);
            if (Entities.isNamedEntity(name)) {
                return Entities.getByName(name);
            }
        } else if (Entities.isBaseNamedEntity(ref)) {
            return Entities.getByName(ref);
        }
        // the longest prefix (at least 2 chars) that is a legacy name, as the HTML5 standard says
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = ref.substring(0, x);
            if (Entities.isBaseNamedEntity(prefix)) {
                return Entities.getByName(prefix) + ref.substring(x);
            }
        }
        return "&" + ref;
    }
}
