package org.clipwsss.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's Groovy example, run as it is with Groovy. */
class ScriptingExampleTest {
    @Test
    void readmeGroovyExampleRuns() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```groovy\n");
        assertTrue(start >= 0, "README has a ```groovy example");
        String script = readme.substring(start + 10, readme.indexOf("```", start + 10));
        StringWriter out = new StringWriter();
        Binding binding = new Binding();
        binding.setProperty("out", new PrintWriter(out, true));
        new GroovyShell(binding).evaluate(script);
        String printed = out.toString();
        assertTrue(printed.contains("2 maps of 500x281"), printed);
        assertTrue(printed.contains("mask values"), printed);
        assertEquals(1, Files.readString(Path.of("README.md")).split("```groovy").length - 1, "one Groovy example");
    }
}
