package org.covidct.nn;

import static org.covidct.tensor.testing.TensorAssert.GOLDEN_RTOL;

import java.util.Map;
import java.util.function.Function;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Device;
import org.covidct.tensor.GeluApproximation;
import org.covidct.tensor.Pool2dSpec;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.testing.AllDevices;
import org.covidct.tensor.testing.GoldenFile;
import org.covidct.tensor.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The general layers and losses (Sigmoid, Tanh, GELU, AvgPool2d, padded MaxPool2d, LayerNorm,
 * BCEWithLogitsLoss, MSELoss) and the functional exp and log, through autograd on every device,
 * against the op fixtures of PyTorch: the forward output, and every gradient that backward gives
 * from L = sum(y * dy) (or L = loss * dloss), the parameters' and the targets' included.
 */
class GeneralLayersGoldenTest {
    private TensorScope scope;

    @BeforeEach
    void openScope() {
        scope = TensorScope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static GoldenFile gold(String name) {
        return GoldenFile.load("/golden/ops/" + name + ".gold");
    }

    private static Tensor on(Device device, GoldenFile g, String key) {
        return Tensor.of(device, g.floats(key), g.dims(key));
    }

    private static void check(GoldenFile g, String key, Tensor actual) {
        TensorAssert.assertClose(g.source() + " [" + key + "]", g.floats(key), g.dims(key), actual, GOLDEN_RTOL);
    }

    /** y = layer(x) for the fixture's x; backward from L = sum(y * dy); checks y and dx. */
    private static void checkElementwise(Device device, String name, Function<Variable, Variable> layer) {
        GoldenFile g = gold(name);
        Variable x = Variable.withGrad(on(device, g, "x"));
        Variable y = layer.apply(x);
        check(g, "y", y.data());
        Functional.sum(Functional.mul(y, Variable.constant(on(device, g, "dy")))).backward();
        check(g, "dx", x.grad());
    }

    @AllDevices
    void activations(Device device) {
        checkElementwise(device, "sigmoid", new Sigmoid()::forward);
        checkElementwise(device, "tanh", new Tanh()::forward);
        checkElementwise(device, "gelu_exact", new GELU()::forward);
        checkElementwise(device, "gelu_tanh", new GELU(GeluApproximation.TANH)::forward);
        checkElementwise(device, "exp", Functional::exp);
        checkElementwise(device, "log", Functional::log);
    }

    @AllDevices
    void pooling(Device device) {
        checkElementwise(device, "avg_pool2d_3x3_stride2_pad1", new AvgPool2d(3, 2, 1)::forward);
        checkElementwise(device, "avg_pool2d_2x2_stride2", new AvgPool2d(2)::forward);
        checkElementwise(device, "avg_pool2d_3x2_stride1x2_pad1x0",
                x -> Functional.avgPool2d(x, new Pool2dSpec(3, 2, 1, 2, 1, 0)));
        checkElementwise(device, "max_pool2d_padded_3x3_stride2_pad1", new MaxPool2d(3, 2, 1)::forward);
    }

    @AllDevices
    void layerNorm(Device device) {
        checkLayerNorm(device, "layer_norm_last_dim", new LayerNorm(10));
        checkLayerNorm(device, "layer_norm_two_dims", new LayerNorm(new int[] {5, 4}, 1e-3f));
    }

    private static void checkLayerNorm(Device device, String name, LayerNorm layer) {
        GoldenFile g = gold(name);
        try (layer) {
            layer.loadStateDict(Map.of("weight", g.tensor("weight"), "bias", g.tensor("bias")), true);
            layer.to(device);
            Variable x = Variable.withGrad(on(device, g, "x"));
            Variable y = layer.forward(x);
            check(g, "y", y.data());
            Functional.sum(Functional.mul(y, Variable.constant(on(device, g, "dy")))).backward();
            check(g, "dx", x.grad());
            check(g, "dweight", layer.weight().grad());
            check(g, "dbias", layer.bias().grad());
        }
    }

    @AllDevices
    void losses(Device device) {
        GoldenFile bce = gold("binary_cross_entropy_with_logits");
        Variable logits = Variable.withGrad(on(device, bce, "logits"));
        Variable probabilities = Variable.withGrad(on(device, bce, "target"));
        Variable loss = new BCEWithLogitsLoss().forward(logits, probabilities);
        check(bce, "loss", loss.data());
        Functional.scale(loss, bce.scalar("dloss")).backward();
        check(bce, "dlogits", logits.grad());
        check(bce, "dtarget", probabilities.grad());

        GoldenFile mse = gold("mse_loss");
        Variable x = Variable.withGrad(on(device, mse, "x"));
        Variable target = Variable.withGrad(on(device, mse, "target"));
        Variable squared = new MSELoss().forward(x, target);
        check(mse, "loss", squared.data());
        Functional.scale(squared, mse.scalar("dloss")).backward();
        check(mse, "dx", x.grad());
        check(mse, "dtarget", target.grad());
    }
}
