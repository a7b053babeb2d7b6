package org.covidct.app.io;

/** An error as the one line a user reads: its message with line breaks folded, or its kind when it has none. */
public final class ErrorLine {
    private ErrorLine() {
    }

    public static String of(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        return m.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
