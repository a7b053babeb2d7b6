package org.covidct.app.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.covidct.app.data.CovidCtDownload;
import org.covidct.app.data.Sha256Manifest;
import org.covidct.nn.io.ConsoleProgress;
import org.covidct.nn.io.ResumableDownload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code data}: fetch the COVID-CT data set. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Fetch the COVID-CT data set.",
        subcommands = DataCommand.Download.class)
public final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download the COVID-CT images and split files into the layout --data reads, checking every "
                    + "file against the SHA-256 manifest in the jar; an interrupted download resumes, and a second "
                    + "run only verifies. Prints the folder to pass as train --data.")
    static final class Download implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", description = "the folder to fill (default: ~/.cache/covidct/"
                + "covid-ct, or $XDG_CACHE_HOME/covidct/covid-ct)")
        Path dir;

        @Option(names = "--url", paramLabel = "BASE", defaultValue = CovidCtDownload.UPSTREAM,
                description = "an http(s) URL laid out like the UCSD-AI4H/COVID-CT repository: Images-processed/"
                        + "CT_COVID.zip, Images-processed/CT_NonCOVID.zip and Data-split/ under it "
                        + "(default: ${DEFAULT-VALUE}, GitHub's raw files of its master branch)")
        URI url;

        @Override
        public Integer call() throws Exception {
            Sha256Manifest manifest = Sha256Manifest.covidCt();
            CovidCtDownload download;
            try {
                download = new CovidCtDownload(url, manifest, ResumableDownload.Options.defaults(), new ConsoleProgress(),
                        spec.commandLine().getErr()::println);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--url " + e.getMessage());
            }
            Path root = dir != null ? dir : CovidCtDownload.defaultDir();
            if (Files.exists(root) && !Files.isDirectory(root)) {
                throw new ParameterException(spec.commandLine(), "--dir " + root + ": not a folder");
            }
            CovidCtDownload.Outcome outcome = download.into(root);
            spec.commandLine().getOut().println(outcome.root());
            return 0;
        }
    }
}
