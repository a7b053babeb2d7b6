package org.covidct.tensor.cpu;

import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;

/** Run by {@link SpeedSettingsTest} in a JVM without the Vector API: one CPU op. */
public final class ScalarKernelsProbe {
    private ScalarKernelsProbe() {
    }

    public static void main(String[] args) {
        Tensor x = Tensor.of(Device.CPU, new float[] {1, 2}, 2);
        System.out.println(Ops.add(x, x).toArray()[1]);
    }
}
