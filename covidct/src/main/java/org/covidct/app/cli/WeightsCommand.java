package org.covidct.app.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.covidct.app.model.Architecture;
import org.covidct.nn.io.ConsoleProgress;
import org.covidct.nn.io.TorchvisionWeights;
import org.covidct.nn.io.WeightFiles;
import org.covidct.nn.io.WeightsDownload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code weights}: fetch torchvision's ImageNet weights and convert weight files to safetensors. */
@Command(name = "weights", mixinStandardHelpOptions = true, description = "Download and convert weight files.",
        subcommands = {WeightsCommand.Download.class, WeightsCommand.Convert.class})
public final class WeightsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download torchvision's ImageNet weights into the cache, checking their SHA-256; "
                    + "an interrupted download resumes.")
    static final class Download implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--arch", defaultValue = "vgg19_bn", paramLabel = "ARCH",
                description = "${COMPLETION-CANDIDATES}; torchvision's files are the VGGs' (default: ${DEFAULT-VALUE})")
        Architecture arch;

        @Option(names = "--url", description = "download this http(s) URL instead (default: torchvision's file for --arch)")
        URI url;

        @Option(names = "--cache", paramLabel = "DIR", description = "cache directory (default: ~/.cache/covidct/weights, "
                + "or $XDG_CACHE_HOME/covidct/weights)")
        Path cache;

        @Override
        public Integer call() throws Exception {
            if (url != null && !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
                throw new ParameterException(spec.commandLine(), "--url " + url + ": not an http(s) URL");
            }
            if (url == null && !TorchvisionWeights.architectures().contains(arch.name())) {
                throw new ParameterException(spec.commandLine(), "--arch " + arch + ": torchvision's ImageNet files "
                        + "here are the VGGs' " + TorchvisionWeights.architectures() + "; --url names another file");
            }
            Path file = WeightsDownload.download(url != null ? url : TorchvisionWeights.url(arch.name()),
                    cache != null ? cache : WeightsDownload.defaultCacheDir(), new ConsoleProgress());
            spec.commandLine().getOut().println(file);
            return 0;
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Convert a weight file to safetensors, which later runs memory-map; a checkpoint of ours "
                    + "becomes its model's state dict, keeping the architecture, image size and normalisation it records.")
    static final class Convert implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IN", description = "a PyTorch (.pth), safetensors or checkpoint file")
        Path in;

        @Parameters(index = "1", paramLabel = "OUT.safetensors", description = "the file to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            WeightFiles.Conversion c = WeightFiles.convert(in, out);
            spec.commandLine().getOut().println("wrote " + c.tensors() + " tensors (" + c.values() + " values) to " + out);
            return 0;
        }
    }
}
