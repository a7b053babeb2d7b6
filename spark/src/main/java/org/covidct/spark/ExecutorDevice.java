package org.covidct.spark;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.covidct.app.cli.DeviceOption;
import org.covidct.tensor.Device;

/**
 * Where a task runs its model, decided on the executor, which may have a GPU that the driver
 * lacks or the other way round. With Spark's GPU scheduling ({@code spark.task.resource.gpu.amount})
 * the task runs on the GPU that Spark assigned to it; otherwise on GPU 0.
 */
public final class ExecutorDevice {
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private ExecutorDevice() {
    }

    /**
     * The device {@code choice} means on this executor: cpu the CPU; cuda the task's GPU, failing
     * where CUDA is unusable; auto the task's GPU where CUDA is usable, else the CPU (said once per JVM).
     */
    public static Device resolve(DeviceOption.Choice choice) {
        if (choice == DeviceOption.Choice.cpu) {
            return Device.CPU;
        }
        Optional<String> unavailable = Device.cudaUnavailableReason();
        if (unavailable.isEmpty()) {
            return Device.cuda(assignedGpu());
        }
        if (choice == DeviceOption.Choice.cuda) {
            throw new IllegalStateException("--device cuda: " + unavailable.get());
        }
        if (WARNED.compareAndSet(false, true)) {
            System.err.println("warning: " + unavailable.get() + "; running on the CPU");
        }
        return Device.CPU;
    }

    /** The first GPU address Spark gave the running task, else 0. */
    private static int assignedGpu() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return 0;
        }
        Map<String, ResourceInformation> resources = task.resourcesJMap();
        ResourceInformation gpu = resources.get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            return 0;
        }
        String address = gpu.addresses()[0];
        try {
            return Integer.parseInt(address.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Spark assigned the GPU address '" + address + "'; covidct takes CUDA "
                    + "device ordinals (0, 1, ...): make the GPU discovery script report those", e);
        }
    }
}
