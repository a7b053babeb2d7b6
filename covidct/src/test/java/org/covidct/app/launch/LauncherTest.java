package org.covidct.app.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The jar's start: no JVM warnings on a normal run, and one line on a Java too old for it. */
class LauncherTest {
    private static final String NL = System.lineSeparator();

    @Test
    void theIncubatorNoticeIsDroppedAndEverythingElseKept() {
        assertEquals("epoch 1 [=====>   ]\rdone" + NL,
                copied(Launcher.INCUBATOR_NOTICE + NL + "epoch 1 [=====>   ]\rdone" + NL));
        assertEquals("WARNING: something else" + NL + Launcher.INCUBATOR_NOTICE + NL,
                copied("WARNING: something else" + NL + Launcher.INCUBATOR_NOTICE + NL));
        assertEquals("error: x" + NL, copied("error: x" + NL));
        assertEquals("", copied(""));
    }

    @Test
    void aRunWithoutFlagsPrintsNoJvmWarnings() throws Exception {
        Run run = run(javaOf(Path.of(System.getProperty("java.home"))), "org.covidct.app.launch.JavaVersionCheck",
                "--version");
        assertEquals(0, run.code, run.err);
        assertEquals("", run.err);
        assertTrue(run.out.startsWith("covidct "), run.out);
    }

    @Test
    void anOlderJavaGetsOneLineNamingTheJavaNeeded() throws Exception {
        Optional<Path> older = olderJava();
        Assumptions.assumeTrue(older.isPresent(), "no Java older than 25 on this machine");
        Run run = run(older.get(), "org.covidct.app.launch.JavaVersionCheck", "train");
        assertEquals(1, run.code, run.err);
        assertEquals(1, run.err.lines().count(), run.err);
        assertTrue(run.err.startsWith("error: covidct needs Java 25 or newer, but "), run.err);
        assertEquals("", run.out);
    }

    @Test
    void theChildExitsWhenItsLauncherHasEnded() throws Exception {
        Process launcher = new ProcessBuilder("sleep", "0.2").start();
        CountDownLatch exited = new CountDownLatch(1);
        Launcher.exitWhenGone(Optional.of(launcher.toHandle()), exited::countDown);
        assertTrue(exited.await(20, TimeUnit.SECONDS), "not told that the launcher ended");

        CountDownLatch gone = new CountDownLatch(1);
        Launcher.exitWhenGone(Optional.empty(), gone::countDown);
        assertEquals(0, gone.getCount(), "a launcher already gone is not waited for");
    }

    @Test
    void killingTheLauncherStopsTheRelaunchedJvm() throws Exception {
        List<String> command = List.of(javaOf(Path.of(System.getProperty("java.home"))).toString(),
                "-cp", System.getProperty("java.class.path"), "org.covidct.app.launch.JavaVersionCheck",
                "bench", "--device", "cpu", "--arch", "vgg11_bn", "--image-size", "32", "--batch-size", "1",
                "--steps", "1000000");
        Process launcher = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ProcessHandle child = null;
        try {
            for (int i = 0; i < 200 && child == null; i++) {
                child = launcher.toHandle().children().findFirst().orElse(null);
                Thread.sleep(50);
            }
            assertTrue(child != null, "the launcher started no JVM");
            Thread.sleep(2000);
            assertTrue(child.isAlive(), "the relaunched JVM ended before the launcher was killed");
            launcher.destroyForcibly().waitFor();
            child.onExit().get(30, TimeUnit.SECONDS);
            assertTrue(!child.isAlive());
        } finally {
            launcher.destroyForcibly();
            if (child != null) {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void featureReleasesAreReadFromBothNumberingSchemes() {
        assertEquals(8, JavaVersionCheck.feature("1.8"));
        assertEquals(17, JavaVersionCheck.feature("17"));
        assertEquals(25, JavaVersionCheck.feature("25"));
        assertEquals(0, JavaVersionCheck.feature(""));
    }

    private static String copied(String stderr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Launcher.copyWithoutNotice(new ByteArrayInputStream(stderr.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(Path java, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        return new Run(p.waitFor(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static Path javaOf(Path home) {
        return home.resolve("bin").resolve("java");
    }

    /** A JDK older than 25 where Debian and Temurin install them, if any. */
    private static Optional<Path> olderJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> Files.isExecutable(javaOf(h)) && releaseOf(h).map(r -> r < 25).orElse(false))
                    .map(LauncherTest::javaOf)
                    .sorted()
                    .findFirst();
        }
    }

    /** The feature release a JDK's {@code release} file names. */
    private static Optional<Integer> releaseOf(Path home) {
        try {
            return Files.readAllLines(home.resolve("release")).stream()
                    .filter(l -> l.startsWith("JAVA_VERSION="))
                    .map(l -> JavaVersionCheck.feature(l.substring("JAVA_VERSION=".length()).replace("\"", "")))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
