package org.covidct.app.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.covidct.app.data.CovidCtDownload;
import org.covidct.app.data.ManifestExport;
import org.covidct.app.data.Sha256Manifest;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.layout.CsvManifest;
import org.covidct.nn.io.ConsoleProgress;
import org.covidct.nn.io.ResumableDownload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code data}: fetch the COVID-CT data set, or write a data set's manifest. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Fetch the COVID-CT data set, or write a data set as a CSV manifest with its patients.",
        subcommands = {DataCommand.Download.class, DataCommand.Manifest.class})
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

    @Command(name = "manifest", mixinStandardHelpOptions = true,
            description = "Write a data set as a CSV manifest of path,label[,split],group for train --data: for a "
                    + "COVID-CT checkout the group is each image's patient, from its Meta/ folder, so that train "
                    + "splits it patient by patient. Prints what it wrote and, where the data set has its own split "
                    + "and groups, how many groups that split shares between train, val and test.")
    static final class Manifest implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "PATH", description = "a COVID-CT checkout (with "
                + "Meta/COVID-CT-MetaInfo.xlsx and Meta/NonCOVID-CT-MetaInfo.csv), an ImageFolder tree or a CSV "
                + "manifest")
        Path data;

        @Option(names = "--out", required = true, paramLabel = "FILE.csv",
                description = "the manifest to write, replaced if it exists; its paths are relative to its folder")
        Path out;

        @Option(names = "--keep-split", description = "keep the data set's own train, val and test split as a split "
                + "column (default: no split column, so that train splits it again, keeping each group in one split)")
        boolean keepSplit;

        @Override
        public Integer call() throws Exception {
            Path folder = out.toAbsolutePath().normalize().getParent();
            if (Files.isDirectory(out) || !Files.isDirectory(folder)) {
                throw new ParameterException(spec.commandLine(), "--out " + out + ": " + (Files.isDirectory(out)
                        ? "a folder, not a file" : "the folder " + folder + " does not exist"));
            }
            ManifestExport export = ManifestExport.read(data);
            if (keepSplit && !export.hasSplit()) {
                throw new ParameterException(spec.commandLine(), "--keep-split: " + data + " has no split to keep");
            }
            LabelledDataset manifest = export.manifest(keepSplit);
            PrintWriter err = spec.commandLine().getErr();
            if (export.withoutPatient() > 0) {
                err.println("warning: Meta/ names no patient for " + export.withoutPatient() + " of the "
                        + export.images() + " images; each of them is a group of its own");
            }
            if (export.unmatchedMeta() > 0) {
                err.println("warning: " + export.unmatchedMeta() + " image names in Meta/ are of no image in " + data);
            }
            CsvManifest.write(out, manifest);
            long groups = manifest.files().stream().map(LabelledFile::group).filter(Objects::nonNull).distinct().count();
            PrintWriter o = spec.commandLine().getOut();
            o.println("wrote " + out + ": " + export.images() + " images of " + String.join(" and ", export.classes())
                    + (groups > 0 ? ", " + groups + " " + export.groupWord() : "")
                    + (keepSplit ? ", with the data set's split" : ", without a split (train splits it"
                    + (groups > 0 ? ", keeping each of the " + export.groupWord() + " in one split)" : ")")));
            export.overlap().ifPresent(overlap -> o.println(data + ": " + overlap.describe(export.groupWord())));
            o.flush();
            return 0;
        }
    }
}
