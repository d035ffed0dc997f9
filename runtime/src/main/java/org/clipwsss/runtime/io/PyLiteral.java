package org.clipwsss.runtime.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the small subset of Python literal syntax used in {@code .npy} headers: dicts, tuples, lists, strings,
 * integers, True, False and None. Yields {@link Map}, {@link List}, {@link String}, {@link Long}, {@link Boolean}
 * or {@code null}; a malformed literal gives an {@link IllegalArgumentException} saying where. Containers may
 * nest at most {@link #MAX_DEPTH} deep, so that a hostile header cannot overflow the stack.
 */
final class PyLiteral {
    /** The deepest nesting of dicts, tuples and lists accepted; a real .npy header needs 2. */
    static final int MAX_DEPTH = 32;

    private final String text;
    private int pos;
    private int depth;

    private PyLiteral(String text) {
        this.text = text;
    }

    static Object parse(String text) {
        PyLiteral p = new PyLiteral(text);
        Object value = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return value;
    }

    private Object value() {
        skipSpace();
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        if (c == '{' || c == '(' || c == '[') {
            if (depth >= MAX_DEPTH) {
                throw error("nested more than " + MAX_DEPTH + " levels deep");
            }
            depth++;
            try {
                return switch (c) {
                    case '{' -> dict();
                    case '(' -> sequence('(', ')');
                    default -> sequence('[', ']');
                };
            } finally {
                depth--;
            }
        }
        return switch (c) {
            case '\'', '"' -> string();
            default -> c == '-' || c == '+' || Character.isDigit(c) ? integer() : word();
        };
    }

    private Map<String, Object> dict() {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        while (!consume('}')) {
            Object key = value();
            if (!(key instanceof String k)) {
                throw error("dict keys must be strings");
            }
            if (map.containsKey(k)) {
                throw error("duplicate key '" + shorten(k) + "'");
            }
            expect(':');
            map.put(k, value());
            if (!consume(',')) {
                expect('}');
                break;
            }
        }
        return map;
    }

    private List<Object> sequence(char open, char close) {
        List<Object> list = new ArrayList<>();
        pos++;
        while (!consume(close)) {
            list.add(value());
            if (!consume(',')) {
                expect(close);
                break;
            }
        }
        return list;
    }

    private String string() {
        char quote = text.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            } else if (c == '\\' && pos < text.length()) {
                sb.append(text.charAt(pos++));
            } else {
                sb.append(c);
            }
        }
        throw error("unterminated string");
    }

    private Long integer() {
        int start = pos;
        if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
            pos++;
        }
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        String digits = text.substring(start, pos);
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
            pos++; // Python 2 long suffix, written by old NumPy versions
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("bad integer '" + shorten(digits) + "'");
        }
    }

    private Object word() {
        int start = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
            pos++;
        }
        return switch (text.substring(start, pos)) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> null;
            default -> {
                pos = start;
                throw error("unexpected character '" + shorten(String.valueOf(text.charAt(pos))) + "'");
            }
        };
    }

    private boolean consume(char c) {
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!consume(c)) {
            throw error("expected '" + c + "'" + (pos < text.length() ? " at '" + shorten(String.valueOf(text.charAt(pos))) + "'" : ""));
        }
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    /** Text from the header for an error message: one line, at most 40 characters, control characters as \\uXXXX. */
    private static String shorten(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (; i < s.length() && out.length() < 40; i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            boolean odd = Character.isISOControl(c) || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR;
            out.append(odd ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return i < s.length() ? out + "..." : out.toString();
    }

    private IllegalArgumentException error(String problem) {
        return new IllegalArgumentException(problem + " (at character " + pos + ")");
    }
}
