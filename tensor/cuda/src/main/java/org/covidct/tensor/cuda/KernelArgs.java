package org.covidct.tensor.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * The parameter list of one kernel launch, built in the order of the kernel's C signature. Each
 * method names the C type it stands for, because a Java int passed where the kernel reads a
 * {@code long long} would be read as garbage, not rejected.
 */
final class KernelArgs {
    private final List<Pointer> values = new ArrayList<>(12);

    private KernelArgs() {
    }

    static KernelArgs args() {
        return new KernelArgs();
    }

    /** A device pointer ({@code float*}, {@code int*}, ...). */
    KernelArgs ptr(long address) {
        values.add(Pointer.to(new long[] {address}));
        return this;
    }

    /** A {@code long long} (or {@code unsigned long long}). */
    KernelArgs i64(long value) {
        values.add(Pointer.to(new long[] {value}));
        return this;
    }

    /** An {@code int}. */
    KernelArgs i32(int value) {
        values.add(Pointer.to(new int[] {value}));
        return this;
    }

    /** A {@code float}. */
    KernelArgs f32(float value) {
        values.add(Pointer.to(new float[] {value}));
        return this;
    }

    /** The {@code void** kernelParams} of cuLaunchKernel. */
    Pointer pointer() {
        return Pointer.to(values.toArray(new NativePointerObject[0]));
    }
}
