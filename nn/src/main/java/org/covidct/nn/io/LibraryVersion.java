package org.covidct.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * This library's version, as Maven recorded it in the jar; "unknown" when the classes run from a
 * build folder, which has no such record.
 */
public final class LibraryVersion {
    private static final String POM_PROPERTIES = "/META-INF/maven/org.covidct/nn/pom.properties";
    private static final String VERSION = read();

    private LibraryVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = LibraryVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
