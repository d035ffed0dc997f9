package org.clipwsss.runtime.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** What the evaluation results share: JSON with undefined scores as null, and table formatting. */
final class Reports {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {
    }

    /** {@code v}, or null (JSON null) when it is NaN (undefined). */
    static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** "0.1234", or "-" when undefined. */
    static String score(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.4f", v);
    }

    static String json(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** "2 problems:" and one indented line each; nothing when there are none. */
    static void appendProblems(StringBuilder out, List<String> problems) {
        if (problems.isEmpty()) {
            return;
        }
        out.append(problems.size()).append(problems.size() == 1 ? " problem" : " problems").append(":\n");
        for (String p : problems) {
            out.append("  ").append(p).append('\n');
        }
    }
}
