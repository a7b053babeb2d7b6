package org.covidct.app.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.covidct.nn.io.ConsoleProgress;
import org.covidct.nn.io.WeightsDownload;
import org.covidct.nn.io.WeightsTool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code weights}: fetch torchvision's ImageNet weights and convert them to safetensors. */
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

        @Option(names = "--arch", defaultValue = "vgg19_bn", description = "which VGG (default: ${DEFAULT-VALUE})")
        String arch;

        @Option(names = "--url", description = "download this URL instead")
        URI url;

        @Option(names = "--cache", description = "cache directory (default: ~/.cache/covidct/weights)")
        Path cache;

        @Override
        public Integer call() throws Exception {
            Path file = WeightsDownload.download(url != null ? url : TorchvisionUrls.url(arch),
                    cache != null ? cache : WeightsTool.defaultCacheDir(), new ConsoleProgress(System.err));
            spec.commandLine().getOut().println(file);
            return 0;
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Convert a PyTorch weight file to safetensors, which later runs memory-map.")
    static final class Convert implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IN.pth")
        Path in;

        @Parameters(index = "1", paramLabel = "OUT.safetensors")
        Path out;

        @Override
        public Integer call() throws Exception {
            WeightsTool.Conversion c = WeightsTool.convert(in, out);
            spec.commandLine().getOut().println("wrote " + c.tensors() + " tensors (" + c.values() + " values) to " + out);
            return 0;
        }
    }
}
