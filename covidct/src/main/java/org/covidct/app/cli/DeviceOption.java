package org.covidct.app.cli;

import java.io.PrintWriter;
import java.util.Optional;
import org.covidct.tensor.Device;
import picocli.CommandLine.Option;

/**
 * {@code --device auto|cpu|cuda}: cuda is GPU 0 and fails when CUDA is unusable here; auto takes
 * GPU 0 when it can and otherwise the CPU, saying why.
 */
public final class DeviceOption {
    public enum Choice { auto, cpu, cuda }

    @Option(names = "--device", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}: auto takes CUDA "
            + "when it is usable, else the CPU (default: ${DEFAULT-VALUE})")
    Choice device;

    /** What --device says, for a caller that resolves it elsewhere (on another machine). */
    public Choice choice() {
        return device;
    }

    /** The device to run on, warning on {@code err} once when auto falls back to the CPU. */
    public Device resolve(PrintWriter err) {
        if (device == Choice.cpu) {
            return Device.CPU;
        }
        Optional<String> unavailable = Device.cudaUnavailableReason();
        if (unavailable.isEmpty()) {
            return Device.cuda(0);
        }
        if (device == Choice.cuda) {
            throw new IllegalArgumentException("--device cuda: " + unavailable.get());
        }
        err.println("warning: " + unavailable.get() + "; running on the CPU");
        return Device.CPU;
    }
}
