package org.covidct.spark.sweep;

import java.io.Serializable;
import org.covidct.app.cli.DeviceOption;

/**
 * The settings every run of a sweep shares, as train's options take them, before the grid sets
 * its keys; paths are absolute, as the executors see the shared storage.
 *
 * @param lr null for train's default for the architecture
 */
public record SweepSettings(String arch, String weights, String data, String out, int epochs, int batchSize,
                            int accumulate, Float lr, float momentum, int imageSize, long seed, int workers,
                            int patience, DeviceOption.Choice device) implements Serializable {
}
