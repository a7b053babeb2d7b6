package org.covidct.app.launch;

/**
 * The jar's entry point, compiled for Java 8 so that an older Java runs it: there it says, in one
 * line, which Java the application needs, where the application's own classes would fail with
 * UnsupportedClassVersionError. On Java 25 or newer it hands over to {@code Launcher}.
 */
public final class JavaVersionCheck {
    static final int REQUIRED_FEATURE = 25;

    private JavaVersionCheck() {
    }

    public static void main(String[] args) throws Throwable {
        int feature = feature(System.getProperty("java.specification.version", ""));
        if (feature < REQUIRED_FEATURE) {
            System.err.println("error: covidct needs Java " + REQUIRED_FEATURE + " or newer, but "
                    + System.getProperty("java.home") + " is Java " + System.getProperty("java.version")
                    + "; run the jar with a Java " + REQUIRED_FEATURE + " java (set JAVA_HOME or PATH)");
            System.exit(1);
        }
        try {
            Class.forName("org.covidct.app.launch.Launcher").getMethod("main", String[].class)
                    .invoke(null, (Object) args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The feature release of a {@code java.specification.version}: "1.8" is 8, "17" is 17. */
    static int feature(String specificationVersion) {
        String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
    }
}
