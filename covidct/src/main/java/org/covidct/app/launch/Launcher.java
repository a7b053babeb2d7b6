package org.covidct.app.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covidct.app.Main;

/**
 * Starts the command line in a JVM fit for it. The CPU kernels need the Vector API module, which
 * only a command-line flag can add: without it, the same JVM is started again with it, with native
 * access for the CUDA bindings, and with a heap sized from the command's network ({@link HeapBudget})
 * and a small young generation unless those were set. The child's boot-time notice that it uses an incubator module
 * is dropped: a user asked for none of it, and it would precede every command's output. The child
 * exits when the launcher does, however the launcher died, so that a killed {@code java -jar}
 * leaves nothing running that writes its run directory.
 */
public final class Launcher {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final String INCUBATOR_NOTICE = "WARNING: Using incubator modules: " + VECTOR_MODULE;
    /** Set in the child's environment to the launcher's process id. */
    private static final String LAUNCHER_PID = "COVIDCT_LAUNCHER_PID";

    private Launcher() {
    }

    public static void main(String[] args) {
        String launcher = System.getenv(LAUNCHER_PID);
        if (launcher != null) {
            exitWhenGone(ProcessHandle.of(Long.parseLong(launcher)), () -> System.exit(EXIT_ORPHANED));
        } else if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            System.exit(relaunch(args));
        }
        Main.main(args);
    }

    /** The exit code of a child whose launcher died: 128 + SIGHUP, as a shell's children get. */
    static final int EXIT_ORPHANED = 129;

    /**
     * Runs {@code exit} once {@code launcher} has ended, or at once when it already has. Exiting
     * (rather than halting) runs the shutdown hooks, which release what the command holds.
     */
    static void exitWhenGone(java.util.Optional<ProcessHandle> launcher, Runnable exit) {
        if (launcher.isEmpty() || !launcher.get().isAlive()) {
            exit.run();
            return;
        }
        launcher.get().onExit().thenRun(exit);
    }

    private static int relaunch(String[] args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        command.addAll(jvmArgs);
        command.addAll(memoryFlags(jvmArgs, List.of(args)));
        command.add("--add-modules=" + VECTOR_MODULE);
        // What the jar's manifest grants, which a -cp launch does not read: JCuda's JNI libraries.
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Launcher.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put(LAUNCHER_PID, Long.toString(ProcessHandle.current().pid()));
        try {
            Process p = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
            Thread errors = Thread.ofPlatform().name("covidct-stderr").start(
                    () -> copyWithoutNotice(p.getErrorStream(), System.err));
            int code = p.waitFor();
            errors.join();
            return code;
        } catch (IOException e) {
            System.err.println("error: cannot start the JVM with " + VECTOR_MODULE + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /**
     * The memory flags the child gets besides the JVM options {@code jvmArgs} it inherits, for the
     * command line {@code args}: a heap of what its network needs ({@link HeapBudget}), at most 75%
     * of the machine's memory; the serial collector, whose footprint is the smallest, to score
     * (one image peaks at 185 MB resident with it, 240 MB with G1) and to train a network whose
     * memory is mostly parameters ({@link HeapBudget#parameterBound}); to train, a small young
     * generation; each unless it was set.
     */
    static List<String> memoryFlags(List<String> jvmArgs, List<String> args) {
        List<String> flags = new ArrayList<>();
        if (jvmArgs.stream().noneMatch(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxRAMPercentage"))) {
            flags.add("-Xmx" + heapMiB(args) + "m");
        }
        boolean trains = HeapBudget.trains(args);
        boolean collectorSet = jvmArgs.stream().anyMatch(a -> a.matches("-XX:\\+Use\\w*GC"));
        if (!collectorSet && (!trains || HeapBudget.parameterBound(args))) {
            flags.add("-XX:+UseSerialGC");
        }
        if (trains && jvmArgs.stream().noneMatch(a -> a.startsWith("-Xmn") || a.contains("NewSize"))) {
            // Until the JIT has compiled them, Vector API kernels allocate every intermediate vector:
            // short-lived garbage for which G1 would grow the heap (and the peak resident set) by GBs.
            // Large tensors are pooled, so a small young generation costs nothing.
            flags.add("-Xmn256m");
        }
        return flags;
    }

    /** The heap for {@code args}: what their network needs ({@link HeapBudget}), at most 75% of the machine's memory. */
    static long heapMiB(List<String> args) {
        long machine = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return Math.min(HeapBudget.of(args), machine / 4 * 3) / HeapBudget.MIB;
    }

    /**
     * Copies {@code in} to {@code out} as it comes (progress bars redraw a line without ending it),
     * less the incubator notice, which the JVM prints as a whole line before anything else.
     */
    static void copyWithoutNotice(InputStream in, OutputStream out) {
        try (in) {
            byte[] notice = (INCUBATOR_NOTICE + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
            byte[] head = in.readNBytes(notice.length);
            if (!java.util.Arrays.equals(head, notice)) {
                out.write(head);
                out.flush();
            }
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // The child has gone; its exit code says how.
        }
    }
}
