import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Loads two builds of covidct.jar side by side, each in a class loader of its own with its own
 * copy of BuildPass, and alternates their passes, so that a change in the machine's load hits both
 * alike; prints each build's median and the median of the per-pass ratios old / new.
 *
 * <p>Arguments: OLD.jar NEW.jar PASS_CLASSES ARCH BATCH SIZE PASSES train|infer
 */
public final class CompareBuilds {
    private CompareBuilds() {
    }

    public static void main(String[] args) throws Exception {
        String arch = args[3];
        int batch = Integer.parseInt(args[4]), size = Integer.parseInt(args[5]), passes = Integer.parseInt(args[6]);
        boolean train = args[7].equals("train");
        Method[] pass = new Method[2];
        for (int b = 0; b < 2; b++) {
            URL[] path = {Path.of(args[b]).toUri().toURL(), Path.of(args[2]).toUri().toURL()};
            Class<?> side = new URLClassLoader(path, ClassLoader.getPlatformClassLoader()).loadClass("BuildPass");
            side.getMethod("setUp", String.class, int.class, int.class, boolean.class)
                    .invoke(null, arch, batch, size, train);
            pass[b] = side.getMethod("pass");
        }
        for (int warmUp = 0; warmUp < 3; warmUp++) {
            pass[0].invoke(null);
            pass[1].invoke(null);
        }
        double[][] ms = new double[2][passes];
        double[] ratio = new double[passes];
        for (int i = 0; i < passes; i++) {
            ms[0][i] = (double) pass[0].invoke(null);
            ms[1][i] = (double) pass[1].invoke(null);
            ratio[i] = ms[0][i] / ms[1][i];
        }
        System.out.printf(Locale.ROOT, "%s %s, batch %d, %dx%d, %d alternating passes%n", arch,
                train ? "training step" : "inference", batch, size, size, passes);
        System.out.printf(Locale.ROOT, "old %s: median %.1f ms%n", args[0], median(ms[0]));
        System.out.printf(Locale.ROOT, "new %s: median %.1f ms%n", args[1], median(ms[1]));
        System.out.printf(Locale.ROOT, "new over old: %.2fx faster (median of the per-pass ratios)%n", median(ratio));
        System.exit(0); // the builds' worker threads would keep the JVM alive
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
