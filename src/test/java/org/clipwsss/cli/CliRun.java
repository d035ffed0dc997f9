package org.clipwsss.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The command line run in this JVM, with what it printed (echoed for the test log). */
public record CliRun(int code, String out, String err) {
    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        System.out.print(out);
        System.err.print(err);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Just the exit code. */
    public static int code(String... args) {
        return of(args).code();
    }
}
