package org.clipwsss.runtime.eval;

/** A result that can be shown in a terminal and saved as JSON. */
public interface EvaluationReport {
    /** An aligned plain-text table, lines ending in '\n'. */
    String toTable();

    /** Pretty-printed JSON; undefined scores are null. */
    String toJson();
}
