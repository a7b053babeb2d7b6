package org.covidct.tensor.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test once per device, passing the {@link org.covidct.tensor.Device} as a parameter: the
 * CPU always, CUDA device 0 too, shown as skipped with
 * {@link org.covidct.tensor.Device#cudaUnavailableReason()} where CUDA cannot run. Invocations are
 * named "[cpu]" and "[cuda:0]".
 *
 * <pre>{@code
 * @AllDevices
 * void relu(Device device) {
 *     Tensor x = Tensor.of(device, new float[] {-1, 2}, 2);
 *     assertArrayEquals(new float[] {0, 2}, Ops.relu(x).toArray());
 * }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(AllDevicesExtension.class)
public @interface AllDevices {
}
