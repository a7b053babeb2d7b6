package org.covidct.tensor.testing;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.covidct.tensor.Device;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * The invocations of an {@link AllDevices} test: one per device, unusable ones disabled with their
 * reason, or failed with it where {@link CudaRequirement#required()}.
 *
 * <p>The system property {@value #DEVICES_PROPERTY} (default {@code cpu,cuda}) names the devices
 * to run on: the tensor module, which cannot see the CUDA backend, runs these tests on the CPU,
 * and tensor-cuda runs the same tests again on CUDA only.
 */
public final class AllDevicesExtension implements TestTemplateInvocationContextProvider {
    public static final String DEVICES_PROPERTY = "covidct.test.devices";

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(AllDevices.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Set<String> devices = Set.of(System.getProperty(DEVICES_PROPERTY, "cpu,cuda").split(","));
        Stream.Builder<TestTemplateInvocationContext> invocations = Stream.builder();
        if (devices.contains("cpu")) {
            invocations.add(new OnDevice(Device.CPU, Optional.empty()));
        }
        if (devices.contains("cuda")) {
            invocations.add(new OnDevice(Device.cuda(0), Device.cudaUnavailableReason()));
        }
        return invocations.build();
    }

    /** One invocation: resolves the Device parameter, and is disabled when {@code unavailable} says why. */
    private record OnDevice(Device device, Optional<String> unavailable) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + device + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            ParameterResolver resolver = new ParameterResolver() {
                @Override
                public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
                    return parameter.getParameter().getType() == Device.class;
                }

                @Override
                public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
                    if (unavailable.isPresent()) {
                        throw new ParameterResolutionException(CudaRequirement.failureMessage(unavailable.get()));
                    }
                    return device;
                }
            };
            ExecutionCondition condition = extension -> unavailable.isPresent() && !CudaRequirement.required()
                    ? ConditionEvaluationResult.disabled(unavailable.get())
                    : ConditionEvaluationResult.enabled("runs on " + device);
            return List.of(resolver, condition);
        }
    }
}
