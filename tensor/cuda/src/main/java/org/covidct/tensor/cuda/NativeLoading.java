package org.covidct.tensor.cuda;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns JCuda's native-loading failures, whose messages run to dozens of lines of nested stack
 * traces, into one line that names what is missing.
 */
final class NativeLoading {
    private static final Pattern MISSING_SHARED_OBJECT =
            Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file");
    private static final Pattern MISSING_RESOURCE = Pattern.compile("No resource found with name '([^']+)'");

    private NativeLoading() {
    }

    /**
     * One line for {@code e}: "{@code expected} ({@code need}) not found" when the dynamic loader
     * could not find {@code expected}, otherwise what was missing, as precisely as the message says.
     */
    static String describe(LinkageError e, String expected, String need) {
        String message = String.valueOf(e.getMessage());
        Matcher so = MISSING_SHARED_OBJECT.matcher(message);
        if (so.find()) {
            String library = so.group(1);
            return library.equals(expected) ? expected + " (" + need + ") not found"
                    : library + " not found (needed with " + expected + ", " + need + ")";
        }
        Matcher resource = MISSING_RESOURCE.matcher(message);
        if (resource.find()) {
            return "the JCuda native " + resource.group(1) + " is missing from the classpath";
        }
        if (e instanceof NoClassDefFoundError) {
            return "the JCuda binding failed to load earlier in this JVM (" + firstLine(message) + ")";
        }
        return firstLine(message) + " (" + expected + ", " + need + ")";
    }

    private static String firstLine(String s) {
        int end = s.indexOf('\n');
        return (end < 0 ? s : s.substring(0, end)).strip();
    }
}
