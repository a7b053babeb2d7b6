package org.covidct.nn.data.image;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An image file that cannot be decoded: missing, unreadable, of an unsupported format or colour
 * model, truncated or corrupt. The message is one line naming the file and the reason.
 */
public final class ImageDecodeException extends IOException {
    private final Path file;
    private final String reason;

    /** {@code file} failed to decode for {@code reason}. */
    public ImageDecodeException(Path file, String reason) {
        this(file, reason, null);
    }

    /** {@code file} failed to decode for {@code reason}, because of {@code cause}. */
    public ImageDecodeException(Path file, String reason, Throwable cause) {
        super(file + ": " + oneLine(reason), cause);
        this.file = file;
        this.reason = oneLine(reason);
    }

    /** Why the file failed, without its name. */
    public String reason() {
        return reason;
    }

    /** The file that failed to decode. */
    public Path file() {
        return file;
    }

    private static String oneLine(String s) {
        return s == null ? "unknown error" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
