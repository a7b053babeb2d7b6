package org.covidct.app.data;

import java.io.IOException;

/**
 * How the images in a downloaded zip are named: by the file name alone, wherever the archive put it
 * ({@code CT_COVID/x.png} and {@code x.png} both give {@code x.png}). Folders, macOS's
 * {@code __MACOSX/} resource forks and dot-files are not images; an entry whose path is absolute or
 * climbs with {@code ..} is refused, with the archive it came in.
 */
final class ZipEntries {
    private ZipEntries() {
    }

    /** The file name {@code entry} of {@code archive} holds, or null for a folder or junk. */
    static String fileName(String archive, String entry) throws IOException {
        String path = entry.replace('\\', '/'); // zips made on Windows may use backslashes
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            throw refused(archive, entry, "is an absolute path");
        }
        String[] segments = path.split("/", -1);
        for (String segment : segments) {
            if (segment.equals("..")) {
                throw refused(archive, entry, "climbs out of the folder it is extracted to");
            }
        }
        String name = segments[segments.length - 1];
        for (String segment : segments) {
            if (segment.equals("__MACOSX")) {
                return null;
            }
        }
        return name.isEmpty() || name.startsWith(".") ? null : name;
    }

    private static IOException refused(String archive, String entry, String why) {
        return new IOException(archive + ": the entry '" + entry + "' " + why + "; the archive was refused and deleted");
    }
}
