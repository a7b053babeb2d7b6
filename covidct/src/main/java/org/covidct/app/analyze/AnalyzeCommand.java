package org.covidct.app.analyze;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code analyze --run RUN_DIR}: Grad-CAM galleries and report.html. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Error analysis of a finished run: Grad-CAM galleries of true/false positives/negatives from "
                + "its test scores and best checkpoint, and RUN_DIR/report.html, one self-contained page with the "
                + "configuration, metrics, plots and galleries.")
public final class AnalyzeCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "a run directory that train finished")
    Path run;

    @Option(names = "--layer", paramLabel = "NAME", description = "dotted module name of the Grad-CAM layer "
            + "(default: the last block of features, features.-1)")
    String layer;

    @Option(names = "--per-gallery", defaultValue = "" + RunAnalysis.PER_GALLERY,
            description = "random images per gallery (default: ${DEFAULT-VALUE})")
    int perGallery;

    @Option(names = "--seed", description = "seed of the random draw (default: the run's seed)")
    Long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (perGallery < 1) {
            throw new ParameterException(spec.commandLine(), "--per-gallery " + perGallery + ": must be at least 1");
        }
        PrintStream log = System.out;
        new RunAnalysis(RunAnalysis.CLASSIFIERS, log).run(run, layer, perGallery, seed);
        return 0;
    }
}
