package org.covidct.app.analyze;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Debian's chromium, run headless with a fresh profile for each page, as a test's browser. */
final class HeadlessChromium {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser");
    private static final long TIMEOUT_S = 120;

    private final Path binary;
    private final Path work;

    /** What one run printed: stdout (the DOM, for --dump-dom) and stderr (the log, console messages included). */
    record Output(String stdout, String stderr) {
    }

    private HeadlessChromium(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    /** The browser on PATH, with {@code work} for its profiles and logs; empty when none is installed. */
    static Optional<HeadlessChromium> find(Path work) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            for (String name : NAMES) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(new HeadlessChromium(candidate, work));
                }
            }
        }
        return Optional.empty();
    }

    /** The DOM after the page loaded and ran, with console messages logged to stderr. */
    Output dumpDom(Path html) throws IOException, InterruptedException {
        return run("dom", List.of("--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom"), html);
    }

    /** A screenshot of the page in a window of the given size. */
    Output screenshot(Path html, Path png, int width, int height) throws IOException, InterruptedException {
        return run("shot", List.of("--hide-scrollbars", "--window-size=" + width + "," + height,
                "--screenshot=" + png.toAbsolutePath()), html);
    }

    private Output run(String name, List<String> flags, Path html) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "profile-" + name);
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        command.addAll(flags);
        command.add(html.toAbsolutePath().toUri().toString());
        Path out = work.resolve(name + ".stdout"), err = work.resolve(name + ".stderr");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException("chromium did not finish within " + TIMEOUT_S + " s: " + command);
        }
        Output o = new Output(Files.readString(out), Files.readString(err));
        if (p.exitValue() != 0) {
            throw new IOException("chromium exited with " + p.exitValue() + ": " + o.stderr());
        }
        return o;
    }
}
