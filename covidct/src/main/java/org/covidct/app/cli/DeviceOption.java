package org.covidct.app.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --device auto|cpu|cuda}. This build runs on the CPU; CUDA is refused with the reason. */
public final class DeviceOption {
    public enum Choice { auto, cpu, cuda }

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})")
    Choice device;

    /** Checks the choice, warning on {@code err} once when auto falls back to the CPU. */
    void resolve(PrintWriter err) {
        switch (device) {
            case cuda -> throw new IllegalArgumentException(
                    "--device cuda: this build has no CUDA backend; use --device cpu");
            case auto -> err.println("warning: no CUDA backend in this build; running on the CPU");
            case cpu -> { }
        }
    }
}
