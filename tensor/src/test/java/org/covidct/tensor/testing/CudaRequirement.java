package org.covidct.tensor.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Optional;
import org.covidct.tensor.Device;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether a test that needs CUDA skips or fails where CUDA is unusable. It skips, with the reason,
 * unless the system property {@value #PROPERTY} is true: CI sets it wherever the CUDA stand-in is
 * built, so a CUDA test that quietly skips there fails instead.
 */
public final class CudaRequirement {
    public static final String PROPERTY = "covidct.requireCuda";

    private CudaRequirement() {
    }

    /** Whether CUDA tests must run here. */
    public static boolean required() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Why a CUDA test cannot run here, worded as its failure, when CUDA is required. */
    public static String failureMessage(String reason) {
        return PROPERTY + "=true, but " + reason;
    }

    /** Skips the calling test where CUDA is unusable, or fails it when CUDA is required. */
    public static void assumeCuda() {
        Optional<String> reason = Device.cudaUnavailableReason();
        if (reason.isPresent()) {
            if (required()) {
                fail(failureMessage(reason.get()));
            }
            Assumptions.abort(reason.get());
        }
    }
}
