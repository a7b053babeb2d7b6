package org.covidct.tensor.cpu;

import static org.covidct.tensor.testing.TensorAssert.GOLDEN_RTOL;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.testing.GoldenFile;
import org.covidct.tensor.testing.TensorAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch fixtures of the 3x3, stride-1 convolutions through Winograd F(2x2, 3x3), forward,
 * backward-data and backward-weight, at the golden tolerance, on a backend whose thresholds send
 * these few channels down that path.
 */
class WinogradGoldenTest {
    @BeforeEach
    void needsTheVectorApi() {
        assumeTrue(CpuKernelPaths.VECTOR_API_PRESENT,
                "Winograd runs on the Vector API, which this JVM was started without");
    }

    @Test
    void basic() {
        check("conv2d_basic");
    }

    @Test
    void oddSized() {
        check("conv2d_3x3_odd");
    }

    private static void check(String name) {
        CpuBackend winograd = new CpuBackend(CpuConv2dTest.WINOGRAD_ALWAYS);
        GoldenFile g = GoldenFile.load("/golden/ops/" + name + ".gold");
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Tensor.of(g.floats("x"), g.dims("x")), w = Tensor.of(g.floats("w"), g.dims("w"));
            Tensor b = Tensor.of(g.floats("b"), g.dims("b")), dy = Tensor.of(g.floats("dy"), g.dims("dy"));
            Conv2dSpec spec = Conv2dSpec.of(1, 1);
            Tensor y = Tensor.zeros(Device.CPU, g.dims("y"));
            winograd.conv2d(x, w, b, spec, y);
            TensorAssert.assertClose(name + " y", g.floats("y"), g.dims("y"), y, GOLDEN_RTOL);
            Tensor dx = Tensor.zeros(Device.CPU, x.dims());
            winograd.conv2dBackwardData(dy, w, spec, dx);
            TensorAssert.assertClose(name + " dx", g.floats("dx"), g.dims("dx"), dx, GOLDEN_RTOL);
            Tensor dw = Tensor.zeros(Device.CPU, w.dims());
            winograd.conv2dBackwardWeight(dy, x, spec, dw);
            TensorAssert.assertClose(name + " dw", g.floats("dw"), g.dims("dw"), dw, GOLDEN_RTOL);
        }
    }
}
